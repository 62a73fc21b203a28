using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store;
using Skein.Store.Secrets;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for secrets: write-only values; listings show names and times only.</summary>
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

    private static async Task<IResult> PutAsync(
        string name,
        SecretBody? body,
        SecretStore secrets,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        if (!SecretStore.IsValidName(name))
        {
            return Problems.Invalid(
                $"a secret name is 1 to {SecretStore.MaxNameLength} characters of letters, digits, '.', '_' and '-'"
            );
        }

        if (body?.Value is not { Length: > 0 } value || value.Length > SecretStore.MaxValueLength)
        {
            return Problems.Invalid(
                $"a secret needs a non-empty value of at most {SecretStore.MaxValueLength} characters"
            );
        }

        await secrets.SetAsync(await AdminTenant.IdAsync(contexts, cancellationToken), name, value, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ListAsync(
        SecretStore secrets,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            new SecretList(
                await secrets.ListAsync(await AdminTenant.IdAsync(contexts, cancellationToken), cancellationToken)
            )
        );

    private static async Task<IResult> DeleteAsync(
        string name,
        SecretStore secrets,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    ) =>
        await secrets.DeleteAsync(await AdminTenant.IdAsync(contexts, cancellationToken), name, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.From(new DomainError(DomainErrorCodes.NotFound, $"secret '{name}' not found"));
}
