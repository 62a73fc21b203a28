using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Application.Secrets;
using Skein.Server.Auth;
using Skein.Store.Secrets;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for secrets (through <see cref="SecretService"/>): write-only values; listings show names
/// and times only.</summary>
public static class SecretAdminEndpoints
{
    public static RouteGroupBuilder MapSecretAdmin(this RouteGroupBuilder api)
    {
        api.MapPut("/secrets/{name}", PutAsync)
            .WithName("AdminPutSecret")
            .WithSummary("Create or replace a secret (write-only: its value is never returned)");
        api.MapGet("/secrets", ListAsync)
            .WithName("AdminListSecrets")
            .WithSummary("Secret names and times, never values");
        api.MapDelete("/secrets/{name}", DeleteAsync).WithName("AdminDeleteSecret").WithSummary("Delete a secret");
        return api;
    }

    public sealed record SecretBody(string? Value);

    public sealed record SecretList(IReadOnlyList<SecretInfo> Items);

    private static async Task<Results<NoContent, ProblemHttpResult>> PutAsync(
        string name,
        SecretBody? body,
        SecretService secrets,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var set = await secrets.SetAsync(SkeinUser.ActorOf(user), name, body?.Value, cancellationToken);
        return set.IsSuccess ? TypedResults.NoContent() : Problems.From(set.Error);
    }

    private static async Task<Ok<SecretList>> ListAsync(SecretService secrets, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SecretList(await secrets.ListAsync(cancellationToken)));

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name,
        SecretService secrets,
        ClaimsPrincipal user,
        CancellationToken cancellationToken
    )
    {
        var deleted = await secrets.DeleteAsync(SkeinUser.ActorOf(user), name, cancellationToken);
        return deleted.IsSuccess ? TypedResults.NoContent() : Problems.From(deleted.Error);
    }
}
