using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Skein.Server.Auth;

/// <summary><c>X-API-Key: phk_…</c> for the public <c>/v1</c> API. Missing or unknown key → 401.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator keys
) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-API-Key";
    private const string CallerItem = "skein.api-caller";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(secret))
        {
            return AuthenticateResult.NoResult();
        }

        var caller = await keys.AuthenticateAsync(secret.Trim(), Context.RequestAborted);
        if (caller is null)
        {
            return AuthenticateResult.Fail("unknown API key");
        }

        Context.Items[CallerItem] = caller;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.KeyId.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>A 401 says what was wrong with the key (SPEC section 4: errors always carry a detail).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? $"missing API key: send it in the {Header} header";
        await Problems.Of("unauthorized", detail).ExecuteAsync(Context);
    }

    public static ApiCaller Caller(HttpContext context) =>
        context.Items[CallerItem] as ApiCaller
        ?? throw new InvalidOperationException("the API-key policy did not run for this route");
}
