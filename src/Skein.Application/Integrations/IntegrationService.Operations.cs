using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NJsonSchema;
using Skein.Core;
using Skein.Core.Integrations;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Application.Integrations;

public sealed partial class IntegrationService
{
    public Task<Result<OperationView>> CreateOperationAsync(
        Actor actor,
        Guid integrationId,
        OperationBody body,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync(
            contexts,
            db => SaveOperationAsync(db, actor, integrationId, null, body, replace: false, cancellationToken),
            cancellationToken
        );

    public Task<Result<OperationView>> UpdateOperationAsync(
        Actor actor,
        Guid integrationId,
        Guid operationId,
        OperationBody body,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync(
            contexts,
            db => SaveOperationAsync(db, actor, integrationId, operationId, body, replace: false, cancellationToken),
            cancellationToken
        );

    /// <summary>
    /// Creates (<paramref name="operationId"/> null; a name is required) or edits an operation inside the caller's unit
    /// of work. With <paramref name="replace"/> (manifest apply) the body is the whole operation: a null approval
    /// timeout or schema clears it, and the operation moves to <paramref name="integrationId"/>.
    /// </summary>
    public async Task<Result<OperationView>> SaveOperationAsync(
        SkeinDbContext db,
        Actor actor,
        Guid integrationId,
        Guid? operationId,
        OperationBody body,
        bool replace,
        CancellationToken cancellationToken
    )
    {
        OperationRow operation;
        if (operationId is { } existing)
        {
            var found = await db.Operations.FirstOrDefaultAsync(
                o => o.Id == existing && (replace || o.IntegrationId == integrationId),
                cancellationToken
            );
            if (found is null)
            {
                return DomainError.NotFound("operation", existing);
            }

            operation = found;
        }
        else
        {
            if (body.Name is null)
            {
                return DomainError.Invalid("an operation needs a name");
            }

            var integration = await db
                .Integrations.AsNoTracking()
                .FirstOrDefaultAsync(i => i.Id == integrationId, cancellationToken);
            if (integration is null)
            {
                return DomainError.NotFound("integration", integrationId);
            }

            operation = new OperationRow
            {
                Id = Ids.New(),
                TenantId = integration.TenantId,
                IntegrationId = integrationId,
                Name = body.Name,
            };
        }

        if (await ValidateAsync(body) is { } invalid)
        {
            return invalid;
        }

        operation.IntegrationId = integrationId;
        operation.Name = body.Name ?? operation.Name;
        operation.Description = body.Description ?? operation.Description;
        operation.Method = body.Method?.ToUpperInvariant() ?? operation.Method;
        operation.Path = body.Path ?? operation.Path;
        operation.ArgumentsSchema =
            body.ArgumentsSchema is { } schema ? (schema.ValueKind == JsonValueKind.Null ? null : schema.GetRawText())
            : replace ? null
            : operation.ArgumentsSchema;
        operation.RequireApproval = body.RequireApproval ?? operation.RequireApproval;
        operation.Idempotent = body.Idempotent ?? operation.Idempotent;
        operation.TimeoutSec = body.TimeoutSec ?? operation.TimeoutSec;
        operation.ApprovalTimeoutSec = replace
            ? body.ApprovalTimeoutSec
            : body.ApprovalTimeoutSec ?? operation.ApprovalTimeoutSec;
        if (
            await db.Operations.AnyAsync(
                o => o.TenantId == operation.TenantId && o.Name == operation.Name && o.Id != operation.Id,
                cancellationToken
            )
        )
        {
            return DomainError.Conflict(
                $"an operation named '{operation.Name}' exists (operation names are unique in the workspace)"
            );
        }

        if (operationId is null)
        {
            db.Operations.Add(operation);
        }

        var changed = UnitOfWork.Changed(db, operation);
        await UnitOfWork.SaveAsync(db, cancellationToken);
        if (!changed)
        {
            return OperationView.From(operation);
        }

        audit.Record(
            db,
            operation.TenantId,
            actor,
            operationId is null ? "operation.created" : "operation.updated",
            "operation",
            operation.Id,
            operation.Name
        );
        return OperationView.From(operation);
    }

    public Task<Result<Unit>> DeleteOperationAsync(
        Actor actor,
        Guid integrationId,
        Guid operationId,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<Unit>(
            contexts,
            async db =>
            {
                var operation = await db
                    .Operations.AsNoTracking()
                    .FirstOrDefaultAsync(
                        o => o.Id == operationId && o.IntegrationId == integrationId,
                        cancellationToken
                    );
                if (operation is null)
                {
                    return DomainError.NotFound("operation", operationId);
                }

                await db.Operations.Where(o => o.Id == operationId).ExecuteDeleteAsync(cancellationToken);
                audit.Record(
                    db,
                    operation.TenantId,
                    actor,
                    "operation.deleted",
                    "operation",
                    operationId,
                    operation.Name
                );
                return Unit.Value;
            },
            cancellationToken
        );

    /// <summary>Core's rules, then the two that need the engine: built-in tool names and a schema that
    /// compiles.</summary>
    private static async Task<DomainError?> ValidateAsync(OperationBody body)
    {
        if (
            OperationRules.Check(
                body.Name,
                body.Method,
                body.Path,
                body.Description,
                body.TimeoutSec,
                body.ApprovalTimeoutSec,
                body.ArgumentsSchema
            ) is
            { } invalid
        )
        {
            return invalid;
        }

        if (body.Name is not null && ToolCatalog.IsBuiltIn(body.Name))
        {
            return DomainError.Invalid($"'{body.Name}' is a built-in tool name");
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
                return DomainError.Invalid($"argumentsSchema is not a usable JSON Schema: {ex.Message}");
            }
        }

        return null;
    }
}
