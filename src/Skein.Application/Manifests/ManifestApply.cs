using Microsoft.EntityFrameworkCore;
using Skein.Application.Agents;
using Skein.Application.Integrations;
using Skein.Application.Providers;
using Skein.Application.Secrets;
using Skein.Application.Triggers;
using Skein.Application.Versions;
using Skein.Core;
using Skein.Manifests.Export;
using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;
using Skein.Store;
using Skein.Store.Manifests;
using Skein.Store.Workspaces;

namespace Skein.Application.Manifests;

/// <summary>
/// Applies a parsed manifest to the workspace: plan (<see cref="ManifestPlanner"/>), then, unless a dry run, every
/// change in ONE transaction through the same service methods the API and dashboard use (providers, integrations and
/// operations, agents, versions, secrets, triggers), so each is validated and
/// audited alike. A <c>deployed</c> version goes live through the version service's deploy,
/// archiving the previous live version. A dry run writes nothing. Applying the same file again plans only "unchanged".
/// </summary>
public sealed partial class ManifestApply(
    IDbContextFactory<SkeinDbContext> contexts,
    ProviderService providers,
    IntegrationService integrations,
    AgentService agents,
    VersionService versions,
    SecretService secrets,
    TriggerService triggers
)
{
    /// <summary>The plan (with its problems when invalid), or the rule a service refused while applying it.</summary>
    public async Task<Result<ManifestPlan>> ApplyAsync(
        Actor actor,
        ManifestParseResult parsed,
        bool dryRun,
        CancellationToken cancellationToken
    )
    {
        if (!parsed.IsValid || parsed.Document is not { } manifest)
        {
            throw new ArgumentException("only a valid manifest can be applied", nameof(parsed));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await DefaultWorkspace.FindIdAsync(db, cancellationToken) is not { } tenantId)
        {
            return DomainError.Conflict("no workspace yet: start the server once before applying manifests");
        }

        var state = await WorkspaceStateLoader.LoadAsync(db, tenantId, cancellationToken);
        var plan = ManifestPlanner.Plan(manifest, state, parsed.Lines);
        if (!plan.IsValid || dryRun)
        {
            return plan;
        }

        var written = await UnitOfWork.GuardAsync(() => WriteAsync(db, actor, state, plan, cancellationToken));
        if (!written.IsSuccess)
        {
            return written.Error;
        }

        await tx.CommitAsync(cancellationToken);
        return plan;
    }

    /// <summary>The agent's subtree as manifest YAML (see <see cref="ManifestExporter"/>).</summary>
    public async Task<Result<string>> ExportAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
        if (agent is null)
        {
            return DomainError.NotFound("agent", agentId);
        }

        var state = await WorkspaceStateLoader.LoadAsync(db, agent.TenantId, cancellationToken);
        return ManifestExporter.Export(state, agent.Name);
    }

    private async Task<Result<Unit>> WriteAsync(
        SkeinDbContext db,
        Actor actor,
        WorkspaceState state,
        ManifestPlan plan,
        CancellationToken cancellationToken
    )
    {
        var providerIds = IdsByName(state.Providers, p => p.Name);
        foreach (var p in plan.Providers.Where(p => p.Action != ChangeAction.Unchanged))
        {
            var change = new ProviderChange(p.Spec.Name, p.Spec.Kind, p.Spec.BaseUrl ?? "", null, null, null)
            {
                Prices = Core
                    .Usage.ModelPrices.Parse(p.Spec.PricesJson)
                    .ByModel.ToDictionary(x => x.Key, x => (Core.Usage.ModelPrice?)x.Value),
            };
            var saved = await providers.SaveAsync(db, actor, p.ExistingId, change, cancellationToken);
            if (!saved.IsSuccess)
            {
                return saved.Error;
            }

            providerIds[p.Spec.Name] = saved.Value.Id;
        }

        var serviceIds = IdsByName(state.Services, s => s.Name);
        foreach (var s in plan.Services.Where(s => s.Action != ChangeAction.Unchanged))
        {
            var body = new IntegrationBody(
                s.Spec.Name,
                s.Spec.BaseUrl,
                s.Spec.AuthType,
                s.Spec.AuthHeaderName,
                s.Spec.AuthSecretName
            );
            var saved = await integrations.SaveAsync(db, actor, s.ExistingId, body, cancellationToken);
            if (!saved.IsSuccess)
            {
                return saved.Error;
            }

            serviceIds[s.Spec.Name] = saved.Value.Id;
        }

        foreach (var o in plan.Operations.Where(o => o.Action != ChangeAction.Unchanged))
        {
            var spec = o.Spec;
            var body = new OperationBody(
                spec.Name,
                spec.Description,
                spec.Method,
                spec.Path,
                spec.ArgumentsSchema is null ? null : SkeinJson.Parse(spec.ArgumentsSchema),
                spec.RequireApproval,
                spec.Idempotent,
                spec.TimeoutSec,
                spec.ApprovalTimeoutSec
            );
            var saved = await integrations.SaveOperationAsync(
                db,
                actor,
                serviceIds[spec.ServiceName],
                o.ExistingId,
                body,
                replace: true,
                cancellationToken
            );
            if (!saved.IsSuccess)
            {
                return saved.Error;
            }
        }

        var agentIds = IdsByName(state.Agents, a => a.Name);
        foreach (var a in plan.Agents.Where(a => a.Action != ChangeAction.Unchanged))
        {
            var providerId = providerIds[a.Spec.ProviderName];
            if (a.ExistingId is { } id)
            {
                var updated = await agents.UpdateAsync(
                    db,
                    actor,
                    id,
                    a.Spec.ExecutionMode,
                    providerId,
                    cancellationToken
                );
                if (!updated.IsSuccess)
                {
                    return updated.Error;
                }
            }
            else
            {
                var created = await agents.CreateAsync(
                    db,
                    actor,
                    new NewAgent(a.Spec.Name, a.Spec.ExecutionMode, providerId),
                    cancellationToken
                );
                if (!created.IsSuccess)
                {
                    return created.Error;
                }

                agentIds[a.Spec.Name] = created.Value.Id;
            }

            await UnitOfWork.SaveAsync(db, cancellationToken);
        }

        var deploys = new List<(Guid AgentId, Guid VersionId)>();
        foreach (var v in plan.Versions.Where(v => v.Action != ChangeAction.Unchanged))
        {
            var agentId = agentIds[v.Spec.AgentName];
            var versionId = v.ExistingId;
            if (v.WriteContent)
            {
                var written = await versions.PutContentAsync(db, actor, agentId, versionId, v.Spec, cancellationToken);
                if (!written.IsSuccess)
                {
                    return written.Error;
                }

                versionId = written.Value.Id;
            }

            if (v.Deploy && versionId is { } deploy)
            {
                deploys.Add((agentId, deploy));
            }
        }

        await UnitOfWork.SaveAsync(db, cancellationToken);
        foreach (var (agentId, versionId) in deploys)
        {
            var deployed = await versions.DeployAsync(db, actor, agentId, versionId, cancellationToken);
            if (!deployed.IsSuccess)
            {
                return deployed.Error;
            }
        }

        foreach (var secret in plan.Secrets)
        {
            var set = await secrets.SetAsync(db, actor, secret.Name, secret.Value, cancellationToken);
            if (!set.IsSuccess)
            {
                return set.Error;
            }
        }

        // A provider whose key the file supplies reads it from that secret from now on.
        var secretNames = plan.Secrets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (
            var name in plan
                .Providers.Select(p => p.Spec.Name)
                .Where(n => secretNames.Contains(SecretNames.ProviderApiKey(n)))
        )
        {
            var keyed = new ProviderChange(null, null, null, SecretNames.ProviderApiKey(name), null, null);
            var saved = await providers.SaveAsync(db, actor, providerIds[name], keyed, cancellationToken);
            if (!saved.IsSuccess)
            {
                return saved.Error;
            }
        }

        await UnitOfWork.SaveAsync(db, cancellationToken);
        var triggersWritten = await WriteTriggersAsync(db, actor, plan, agentIds, cancellationToken);
        if (!triggersWritten.IsSuccess)
        {
            return triggersWritten.Error;
        }

        await UnitOfWork.SaveAsync(db, cancellationToken);
        return Unit.Value;
    }

    private static Dictionary<string, Guid> IdsByName<T>(IReadOnlyList<Existing<T>> existing, Func<T, string> name) =>
        existing.ToDictionary(e => name(e.Spec), e => e.Id, StringComparer.Ordinal);
}
