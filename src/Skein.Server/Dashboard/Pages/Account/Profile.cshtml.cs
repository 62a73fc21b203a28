using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.Users;
using Skein.Core.Users;
using Skein.Server.Auth;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Account;

/// <summary>The signed-in user's profile: who they are, and their personal management tokens (create: the secret
/// is shown once, in the answer, never in a cookie; revoke).</summary>
[Requires(Capability.Self)]
public sealed class ProfileModel(UserService users) : PageModel
{
    public UserView? Me { get; private set; }

    public IReadOnlyList<UserTokenView> Tokens { get; private set; } = [];

    public string? CreatedSecret { get; private set; }

    public string? Notice { get; private set; }

    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Notice = TempData["Notice"] as string;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateTokenAsync(
        string? name,
        int? expiresInDays,
        CancellationToken cancellationToken
    )
    {
        var caller = SkeinUser.CallerOf(User);
        var created = await users.CreateTokenAsync(
            caller,
            SkeinUser.ActorOf(User),
            caller.UserId,
            name,
            expiresInDays,
            cancellationToken
        );
        if (created.IsSuccess)
        {
            CreatedSecret = created.Value.Secret;
            Notice = $"Token '{created.Value.Token.Name}' created.";
        }
        else
        {
            Problem = created.Error.Message;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        var caller = SkeinUser.CallerOf(User);
        var revoked = await users.RevokeTokenAsync(
            caller,
            SkeinUser.ActorOf(User),
            caller.UserId,
            tokenId,
            cancellationToken
        );
        TempData["Notice"] = revoked.IsSuccess ? "Token revoked." : revoked.Error.Message;
        return Redirect("/profile");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (SkeinUser.UserId(User) is { } id)
        {
            Me = await users.GetAsync(id, cancellationToken);
            Tokens = await users.TokensAsync(id, cancellationToken);
        }
    }
}
