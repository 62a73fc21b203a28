using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Manifests.Export;
using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Secrets;

namespace Skein.Store.Manifests;

/// <summary>
/// Applies a parsed manifest to the workspace: plan (<see cref="ManifestPlanner"/>), then, unless a dry run, every row
/// change in one transaction (providers, integrations and operations, agents, versions, triggers). A <c>deployed</c>
/// version goes live through <see cref="VersionLifecycle.Deploy"/>, so the previous live version is archived and kept.
/// A dry run writes nothing, secrets included. Applying the same file again plans only "unchanged".
/// </summary>
public sealed class ManifestApplier(IDbContextFactory<SkeinDbContext> contexts, SecretStore secrets, TimeProvider clock)
{
    public async Task<ManifestPlan> ApplyAsync(
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
        var tenantId = await TenantAsync(db, cancellationToken);
        var state = await WorkspaceStateLoader.LoadAsync(db, tenantId, cancellationToken);
        var plan = ManifestPlanner.Plan(manifest, state, parsed.Lines);
        if (!plan.IsValid || dryRun)
        {
            return plan;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var providerIds = IdsByName(state.Providers, p => p.Name);
        foreach (var p in plan.Providers.Where(p => p.Action != ChangeAction.Unchanged))
        {
            var row = p.ExistingId is { } id
                ? await db.LlmProviders.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new LlmProviderRow
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        Name = p.Spec.Name,
                        Kind = p.Spec.Kind,
                        CreatedAt = now,
                    }
                );
            ManifestRowWriter.WriteProvider(row, p.Spec);
            providerIds[p.Spec.Name] = row.Id;
        }

        var serviceIds = IdsByName(state.Services, s => s.Name);
        foreach (var s in plan.Services.Where(s => s.Action != ChangeAction.Unchanged))
        {
            var row = s.ExistingId is { } id
                ? await db.Integrations.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new IntegrationRow
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        Name = s.Spec.Name,
                        BaseUrl = s.Spec.BaseUrl,
                    }
                );
            ManifestRowWriter.WriteService(row, s.Spec);
            serviceIds[s.Spec.Name] = row.Id;
        }

        foreach (var o in plan.Operations.Where(o => o.Action != ChangeAction.Unchanged))
        {
            var row = o.ExistingId is { } id
                ? await db.Operations.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new OperationRow
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        Name = o.Spec.Name,
                    }
                );
            ManifestRowWriter.WriteOperation(row, o.Spec, serviceIds[o.Spec.ServiceName]);
        }

        var agentIds = IdsByName(state.Agents, a => a.Name);
        foreach (var a in plan.Agents.Where(a => a.Action != ChangeAction.Unchanged))
        {
            var row = a.ExistingId is { } id
                ? await db.Agents.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new AgentRow
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        Name = a.Spec.Name,
                        ExecutionMode = a.Spec.ExecutionMode,
                        CreatedAt = now,
                    }
                );
            ManifestRowWriter.WriteAgent(row, a.Spec, providerIds[a.Spec.ProviderName]);
            agentIds[a.Spec.Name] = row.Id;
        }

        var deploys = new List<(Guid AgentId, Guid VersionId)>();
        foreach (var v in plan.Versions.Where(v => v.Action != ChangeAction.Unchanged))
        {
            var agentId = agentIds[v.Spec.AgentName];
            var row = v.ExistingId is { } id
                ? await db.AgentVersions.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new AgentVersionRow
                    {
                        Id = Ids.New(),
                        AgentId = agentId,
                        TenantId = tenantId,
                        Label = v.Spec.Label,
                        State = nameof(VersionState.Testing),
                        Model = v.Spec.Model,
                        CreatedAt = now,
                    }
                );
            if (v.WriteContent)
            {
                ManifestRowWriter.WriteVersion(row, v.Spec);
            }

            if (v.Deploy)
            {
                deploys.Add((agentId, row.Id));
            }
        }

        foreach (var t in plan.Triggers.Where(t => t.Action != ChangeAction.Unchanged))
        {
            var row = t.ExistingId is { } id
                ? await db.Triggers.FirstAsync(x => x.Id == id, cancellationToken)
                : Add(
                    db,
                    new TriggerRow
                    {
                        Id = Ids.New(),
                        TenantId = tenantId,
                        AgentId = agentIds[t.Spec.AgentName],
                        Name = t.Spec.Name,
                        Type = t.Spec.Type,
                        CreatedAt = now,
                    }
                );
            ManifestRowWriter.WriteTrigger(row, t.Spec);
        }

        await SaveAsync(db, cancellationToken);
        await DeployAsync(db, deploys, now, cancellationToken);
        foreach (var secret in plan.Secrets)
        {
            await secrets.StageAsync(db, tenantId, secret.Name, secret.Value, cancellationToken);
        }

        // A provider whose key the file supplies reads it from that secret from now on.
        var secretNames = plan.Secrets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (
            var name in plan
                .Providers.Select(p => p.Spec.Name)
                .Where(n => secretNames.Contains(SecretNames.ProviderApiKey(n)))
        )
        {
            var row = await db.LlmProviders.FirstAsync(x => x.Id == providerIds[name], cancellationToken);
            row.ApiKeySecretName = SecretNames.ProviderApiKey(name);
        }

        await SaveAsync(db, cancellationToken);

        await tx.CommitAsync(cancellationToken);
        return plan;
    }

    /// <summary>The agent's subtree as manifest YAML (see <see cref="ManifestExporter"/>).</summary>
    public async Task<string> ExportAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("agent", agentId));
        var state = await WorkspaceStateLoader.LoadAsync(db, agent.TenantId, cancellationToken);
        return ManifestExporter.Export(state, agent.Name);
    }

    private static async Task DeployAsync(
        SkeinDbContext db,
        List<(Guid AgentId, Guid VersionId)> deploys,
        DateTime now,
        CancellationToken cancellationToken
    )
    {
        if (deploys.Count == 0)
        {
            return;
        }

        var agentIds = deploys.Select(d => d.AgentId).ToList();
        var versions = await db.AgentVersions.Where(v => agentIds.Contains(v.AgentId)).ToListAsync(cancellationToken);
        var changes = deploys
            .SelectMany(d =>
                VersionLifecycle.Deploy(
                    [.. versions.Where(v => v.AgentId == d.AgentId).Select(AgentVersionCommands.ToLine)],
                    d.VersionId,
                    now
                )
            )
            .ToList();
        await AgentVersionCommands.ApplyAsync(db, versions, changes, cancellationToken);
    }

    private static async Task<Guid> TenantAsync(SkeinDbContext db, CancellationToken cancellationToken) =>
        await db.Workspaces.OrderBy(w => w.CreatedAt).Select(w => (Guid?)w.Id).FirstOrDefaultAsync(cancellationToken)
        ?? throw new DomainException(
            new DomainError(
                DomainErrorCodes.Conflict,
                "no workspace yet: start the server once before applying manifests"
            )
        );

    private static Dictionary<string, Guid> IdsByName<T>(IReadOnlyList<Existing<T>> existing, Func<T, string> name) =>
        existing.ToDictionary(e => name(e.Spec), e => e.Id, StringComparer.Ordinal);

    private static T Add<T>(SkeinDbContext db, T row)
        where T : class
    {
        db.Add(row);
        return row;
    }

    private static async Task SaveAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    "the workspace changed while the manifest was applied; apply it again"
                )
            );
        }
    }
}
