using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Api.Admin;

/// <summary>Management API for HTTP integrations (base URL, auth from a secret) and their operations.</summary>
public static partial class IntegrationAdminEndpoints
{
    public static RouteGroupBuilder MapIntegrationAdmin(this RouteGroupBuilder api)
    {
        api.MapGet("/integrations", ListAsync)
            .WithName("AdminListIntegrations")
            .WithSummary("Integrations with their operations (auth secret names, never values)");
        api.MapPost("/integrations", CreateAsync)
            .WithName("AdminCreateIntegration")
            .WithSummary("Create an HTTP integration");
        api.MapGet("/integrations/{id:guid}", GetAsync)
            .WithName("AdminGetIntegration")
            .WithSummary("One integration with its operations");
        api.MapPut("/integrations/{id:guid}", UpdateAsync)
            .WithName("AdminUpdateIntegration")
            .WithSummary("Edit an integration's name, base URL or auth");
        api.MapDelete("/integrations/{id:guid}", DeleteAsync)
            .WithName("AdminDeleteIntegration")
            .WithSummary("Delete an integration and its operations");
        api.MapPost("/integrations/{id:guid}/operations", CreateOperationAsync)
            .WithName("AdminCreateOperation")
            .WithSummary("Add an operation (a tool agents can allowlist by its name)");
        api.MapPut("/integrations/{id:guid}/operations/{operationId:guid}", UpdateOperationAsync)
            .WithName("AdminUpdateOperation")
            .WithSummary("Edit an operation");
        api.MapDelete("/integrations/{id:guid}/operations/{operationId:guid}", DeleteOperationAsync)
            .WithName("AdminDeleteOperation")
            .WithSummary("Delete an operation");
        return api;
    }

    public sealed record IntegrationList(IReadOnlyList<IntegrationView> Items);

    private static async Task<IResult> ListAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tenant = await AdminTenant.IdAsync(db, cancellationToken);
        var integrations = await db
            .Integrations.AsNoTracking()
            .Where(i => i.TenantId == tenant)
            .OrderBy(i => i.Name)
            .ToListAsync(cancellationToken);
        var operations = await db
            .Operations.AsNoTracking()
            .Where(o => o.TenantId == tenant)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new IntegrationList([.. integrations.Select(i => IntegrationView.From(i, operations))]));
    }

    private static async Task<IResult> GetAsync(
        Guid id,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (integration is null)
        {
            return Problems.From(DomainError.NotFound("integration", id));
        }

        var operations = await db
            .Operations.AsNoTracking()
            .Where(o => o.IntegrationId == id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(IntegrationView.From(integration, operations));
    }

    private static async Task<IResult> CreateAsync(
        IntegrationBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        if (body?.Name is null || body.BaseUrl is null)
        {
            return Problems.Invalid("an integration needs a name and a baseUrl");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var integration = new IntegrationRow
        {
            Id = Ids.New(),
            TenantId = await AdminTenant.IdAsync(db, cancellationToken),
            Name = body.Name,
            BaseUrl = body.BaseUrl,
        };
        if (Apply(integration, body) is { } error)
        {
            return Problems.Invalid(error);
        }

        if (
            await db.Integrations.AnyAsync(
                i => i.TenantId == integration.TenantId && i.Name == integration.Name,
                cancellationToken
            )
        )
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"an integration named '{integration.Name}' exists")
            );
        }

        db.Integrations.Add(integration);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/integrations/{integration.Id}", IntegrationView.From(integration, []));
    }

    private static async Task<IResult> UpdateAsync(
        Guid id,
        IntegrationBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (integration is null)
        {
            return Problems.From(DomainError.NotFound("integration", id));
        }

        if (Apply(integration, body ?? new IntegrationBody(null, null, null, null, null)) is { } error)
        {
            return Problems.Invalid(error);
        }

        if (
            await db.Integrations.AnyAsync(
                i => i.TenantId == integration.TenantId && i.Name == integration.Name && i.Id != id,
                cancellationToken
            )
        )
        {
            return Problems.From(
                new DomainError(DomainErrorCodes.Conflict, $"an integration named '{integration.Name}' exists")
            );
        }

        await db.SaveChangesAsync(cancellationToken);
        var operations = await db
            .Operations.AsNoTracking()
            .Where(o => o.IntegrationId == id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(IntegrationView.From(integration, operations));
    }

    private static async Task<IResult> DeleteAsync(
        Guid id,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Integrations.AnyAsync(i => i.Id == id, cancellationToken))
        {
            return Problems.From(DomainError.NotFound("integration", id));
        }

        // Versions that allowlist a deleted operation keep their list; the tool is simply no longer offered.
        await db.Operations.Where(o => o.IntegrationId == id).ExecuteDeleteAsync(cancellationToken);
        await db.Integrations.Where(i => i.Id == id).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Merges the body into the row; returns an error message for bad input.</summary>
    private static string? Apply(IntegrationRow integration, IntegrationBody body)
    {
        if (body.Name is not null && (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200))
        {
            return "an integration name is 1 to 200 characters, not blank";
        }

        if (
            body.BaseUrl is not null
            && (
                !Uri.TryCreate(body.BaseUrl, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https")
                || body.BaseUrl.Length > 2000
            )
        )
        {
            return "baseUrl must be an absolute http(s) URL";
        }

        var authType = body.AuthType ?? integration.AuthType;
        if (!IntegrationAuthTypes.IsKnown(authType))
        {
            return "authType must be 'none', 'bearer' or 'header'";
        }

        var secretName = body.AuthSecretName ?? integration.AuthSecretName;
        var headerName = body.AuthHeaderName ?? integration.AuthHeaderName;
        if (authType != IntegrationAuthTypes.None && !Store.Secrets.SecretStore.IsValidName(secretName))
        {
            return "authSecretName (the name of a secret) is required when authType is not 'none'";
        }

        if (
            authType == IntegrationAuthTypes.Header
            && (
                string.IsNullOrWhiteSpace(headerName)
                || headerName.Length > 200
                || headerName.Any(c => char.IsWhiteSpace(c) || c == ':')
            )
        )
        {
            return "authHeaderName (a header name such as X-Api-Key) is required when authType is 'header'";
        }

        integration.Name = body.Name ?? integration.Name;
        integration.BaseUrl = body.BaseUrl ?? integration.BaseUrl;
        integration.AuthType = authType;
        integration.AuthSecretName = authType == IntegrationAuthTypes.None ? null : secretName;
        integration.AuthHeaderName = authType == IntegrationAuthTypes.Header ? headerName : null;
        return null;
    }
}
