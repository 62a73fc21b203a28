using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.Users;
using Skein.Core.Users;
using Skein.Server.Auth;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>Settings → Members (Admin only): create users with a role, change their role, reset a password,
/// disable or enable; through <see cref="UserService"/>, as <c>/api/users</c> does.</summary>
[Requires(Capability.Administer)]
public sealed class MembersModel(UserService users) : PageModel
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];

    public string? Notice { get; private set; }

    public string? Problem { get; private set; }

    public static IReadOnlyList<Role> Roles { get; } = [Role.Admin, Role.Developer, Role.Operator, Role.Viewer];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!SkeinUser.May(User, Capability.Administer))
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        Notice = TempData["Notice"] as string;
        Problem = TempData["Problem"] as string;
        Users = await users.ListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(
        string? email,
        string? displayName,
        string? role,
        string? password,
        CancellationToken cancellationToken
    )
    {
        var created = await users.CreateAsync(
            SkeinUser.ActorOf(User),
            email,
            displayName,
            role,
            password,
            cancellationToken
        );
        return Done(created.IsSuccess, $"{created.Value?.Email} added as {created.Value?.Role}.", created);
    }

    public async Task<IActionResult> OnPostRoleAsync(Guid userId, string? role, CancellationToken cancellationToken)
    {
        var updated = await ChangeAsync(userId, new UserChange(role, null, null, null), cancellationToken);
        return Done(updated.IsSuccess, $"{updated.Value?.Email} is now {updated.Value?.Role}.", updated);
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid userId, bool disabled, CancellationToken cancellationToken)
    {
        var updated = await ChangeAsync(userId, new UserChange(null, disabled, null, null), cancellationToken);
        return Done(
            updated.IsSuccess,
            $"{updated.Value?.Email} {(disabled ? "disabled; their sign-ins and tokens stop working" : "enabled")}.",
            updated
        );
    }

    public async Task<IActionResult> OnPostPasswordAsync(
        Guid userId,
        string? password,
        CancellationToken cancellationToken
    )
    {
        var updated = await ChangeAsync(userId, new UserChange(null, null, null, password), cancellationToken);
        return Done(updated.IsSuccess, $"Password of {updated.Value?.Email} reset; they sign in again.", updated);
    }

    private Task<Core.Result<UserView>> ChangeAsync(Guid id, UserChange change, CancellationToken cancellationToken) =>
        users.UpdateAsync(SkeinUser.ActorOf(User), id, change, cancellationToken);

    private RedirectResult Done(bool ok, string notice, Core.Result<UserView> result)
    {
        if (ok)
        {
            TempData["Notice"] = notice;
        }
        else
        {
            TempData["Problem"] = result.Error?.Message;
        }

        return Redirect("/settings/members");
    }
}
