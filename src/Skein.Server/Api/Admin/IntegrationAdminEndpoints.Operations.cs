using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NJsonSchema;
using Skein.Core;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Api.Admin;

public static partial class IntegrationAdminEndpoints
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private static async Task<IResult> CreateOperationAsync(
        Guid id,
        OperationBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        if (body?.Name is null)
        {
            return Problems.Invalid("an operation needs a name");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var integration = await db.Integrations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (integration is null)
        {
            return Problems.From(DomainError.NotFound("integration", id));
        }

        var operation = new OperationRow
        {
            Id = Ids.New(),
            TenantId = integration.TenantId,
            IntegrationId = id,
            Name = body.Name,
        };
        return await SaveOperationAsync(db, operation, body, creating: true, cancellationToken);
    }

    private static async Task<IResult> UpdateOperationAsync(
        Guid id,
        Guid operationId,
        OperationBody? body,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var operation = await db.Operations.FirstOrDefaultAsync(
            o => o.Id == operationId && o.IntegrationId == id,
            cancellationToken
        );
        return operation is null
            ? Problems.From(DomainError.NotFound("operation", operationId))
            : await SaveOperationAsync(
                db,
                operation,
                body ?? new OperationBody(null, null, null, null, null, null, null, null, null),
                creating: false,
                cancellationToken
            );
    }

    private static async Task<IResult> DeleteOperationAsync(
        Guid id,
        Guid operationId,
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    ) =>
        await ExecuteDeleteAsync(contexts, id, operationId, cancellationToken) > 0
            ? TypedResults.NoContent()
            : Problems.From(DomainError.NotFound("operation", operationId));

    private static async Task<int> ExecuteDeleteAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        Guid id,
        Guid operationId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Operations.Where(o => o.Id == operationId && o.IntegrationId == id)
            .ExecuteDeleteAsync(cancellationToken);
    }

    private static async Task<IResult> SaveOperationAsync(
        SkeinDbContext db,
        OperationRow operation,
        OperationBody body,
        bool creating,
        CancellationToken cancellationToken
    )
    {
        if (await ValidateAsync(body) is { } error)
        {
            return Problems.Invalid(error);
        }

        operation.Name = body.Name ?? operation.Name;
        operation.Description = body.Description ?? operation.Description;
        operation.Method = body.Method?.ToUpperInvariant() ?? operation.Method;
        operation.Path = body.Path ?? operation.Path;
        operation.ArgumentsSchema = body.ArgumentsSchema is { } schema
            ? (schema.ValueKind == JsonValueKind.Null ? null : schema.GetRawText())
            : operation.ArgumentsSchema;
        operation.RequireApproval = body.RequireApproval ?? operation.RequireApproval;
        operation.Idempotent = body.Idempotent ?? operation.Idempotent;
        operation.TimeoutSec = body.TimeoutSec ?? operation.TimeoutSec;
        operation.ApprovalTimeoutSec = body.ApprovalTimeoutSec ?? operation.ApprovalTimeoutSec;
        if (
            await db.Operations.AnyAsync(
                o => o.TenantId == operation.TenantId && o.Name == operation.Name && o.Id != operation.Id,
                cancellationToken
            )
        )
        {
            return Problems.From(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"an operation named '{operation.Name}' exists (operation names are unique in the workspace)"
                )
            );
        }

        if (creating)
        {
            db.Operations.Add(operation);
        }

        await db.SaveChangesAsync(cancellationToken);
        return creating
            ? TypedResults.Created(
                $"/api/integrations/{operation.IntegrationId}/operations/{operation.Id}",
                OperationView.From(operation)
            )
            : TypedResults.Ok(OperationView.From(operation));
    }

    private static async Task<string?> ValidateAsync(OperationBody body)
    {
        if (
            body.Name is not null
            && (body.Name.Length is 0 or > 64 || !body.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        )
        {
            return "an operation name is 1 to 64 letters, digits, '_' or '-' (it is the tool name the model sees)";
        }

        if (body.Name is not null && ToolCatalog.IsBuiltIn(body.Name))
        {
            return $"'{body.Name}' is a built-in tool name";
        }

        if (body.Method is not null && !Methods.Contains(body.Method.ToUpperInvariant()))
        {
            return "method must be GET, POST, PUT, PATCH or DELETE";
        }

        if (body.Path is not null && (body.Path.Length > 2000 || body.Path.Contains("://", StringComparison.Ordinal)))
        {
            return "path is a template relative to the integration's base URL, such as /orders/{orderId}";
        }

        if (body.TimeoutSec is < 1 or > 600 || body.ApprovalTimeoutSec is < 1)
        {
            return "timeoutSec must be 1 to 600 and approvalTimeoutSec at least 1";
        }

        if (body.Description is { Length: > 2000 })
        {
            return "a description is at most 2000 characters";
        }

        if (body.ArgumentsSchema is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return "argumentsSchema must be a JSON Schema object";
        }

        if (body.ArgumentsSchema is { ValueKind: JsonValueKind.Object } schema)
        {
            try
            {
                await JsonSchema.FromJsonAsync(schema.GetRawText());
            }
            catch (Exception ex)
                when (ex
                        is JsonException
                            or InvalidOperationException
                            or Newtonsoft.Json.JsonException
                            or NotSupportedException
                )
            {
                return $"argumentsSchema is not a usable JSON Schema: {ex.Message}";
            }
        }

        return null;
    }
}
