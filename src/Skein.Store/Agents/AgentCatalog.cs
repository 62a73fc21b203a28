using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>Resolves what a run will execute: the agent, a version (Deployed unless named) and its provider.</summary>
public sealed class AgentCatalog(IDbContextFactory<SkeinDbContext> contexts, Secrets.SecretStore secrets)
{
    public const string NoDeployedVersion = "no_deployed_version";

    // Every run start and every run driver runs these: compiled once, EF skips preparing the query on each call.
    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, CancellationToken, Task<ResolvedRows?>>
    > DeployedRows = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid agentId, CancellationToken _) =>
                (
                    from a in db.Agents.AsNoTracking()
                    join v in db.AgentVersions.AsNoTracking() on a.Id equals v.AgentId
                    join p in db.LlmProviders.AsNoTracking() on a.LlmProviderId equals p.Id
                    from w in db.Workspaces.AsNoTracking().Where(w => w.Id == a.TenantId).DefaultIfEmpty()
                    where a.Id == agentId && v.State == nameof(VersionState.Deployed)
                    select new ResolvedRows(a, v, p) { Workspace = w }
                ).FirstOrDefault()
        )
    );

    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, Guid, CancellationToken, Task<ResolvedRows?>>
    > VersionRows = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid agentId, Guid versionId, CancellationToken _) =>
                (
                    from a in db.Agents.AsNoTracking()
                    join v in db.AgentVersions.AsNoTracking() on a.Id equals v.AgentId
                    join p in db.LlmProviders.AsNoTracking() on a.LlmProviderId equals p.Id
                    from w in db.Workspaces.AsNoTracking().Where(w => w.Id == a.TenantId).DefaultIfEmpty()
                    where a.Id == agentId && v.Id == versionId
                    select new ResolvedRows(a, v, p) { Workspace = w }
                ).FirstOrDefault()
        )
    );

    private static readonly PerProvider<Func<SkeinDbContext, Guid, CancellationToken, Task<AgentRow?>>> AgentById = new(
        () =>
            EF.CompileAsyncQuery(
                (SkeinDbContext db, Guid id, CancellationToken _) =>
                    db.Agents.AsNoTracking().FirstOrDefault(a => a.Id == id)
            )
    );

    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, Guid, CancellationToken, Task<AgentVersionRow?>>
    > VersionById = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid agentId, Guid id, CancellationToken _) =>
                db.AgentVersions.AsNoTracking().FirstOrDefault(v => v.AgentId == agentId && v.Id == id)
        )
    );

    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, CancellationToken, Task<AgentVersionRow?>>
    > DeployedVersion = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid agentId, CancellationToken _) =>
                db
                    .AgentVersions.AsNoTracking()
                    .FirstOrDefault(v => v.AgentId == agentId && v.State == nameof(VersionState.Deployed))
        )
    );

    private static readonly PerProvider<
        Func<SkeinDbContext, Guid, CancellationToken, Task<LlmProviderRow?>>
    > ProviderById = new(() =>
        EF.CompileAsyncQuery(
            (SkeinDbContext db, Guid id, CancellationToken _) =>
                db.LlmProviders.AsNoTracking().FirstOrDefault(p => p.Id == id)
        )
    );

    /// <summary>
    /// How long a resolved version is reused between run starts. Writes in this process invalidate it at once
    /// (<see cref="CatalogGeneration"/>); a deploy or key rotation made on another node reaches this one within it.
    /// </summary>
    public static readonly TimeSpan ResolvedTimeToLive = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(Guid AgentId, Guid? VersionId), CachedResolve> _resolved = new();

    /// <summary>
    /// The agent, its version (Deployed unless named) and provider, and the driver's settings, for a run start. Kept
    /// briefly: every start otherwise pays a joined read and the parsing of the version's JSON settings.
    /// </summary>
    public async Task<ResolvedVersion> ResolveAsync(Guid agentId, Guid? versionId, CancellationToken cancellationToken)
    {
        var generation = CatalogGeneration.Current;
        var now = Environment.TickCount64;
        if (
            _resolved.TryGetValue((agentId, versionId), out var cached)
            && cached.Generation == generation
            && now - cached.ReadAt < ResolvedTimeToLive.TotalMilliseconds
        )
        {
            return cached.Version;
        }

        var resolved = await ReadAsync(agentId, versionId, cancellationToken);
        _resolved[(agentId, versionId)] = new CachedResolve(resolved, generation, now);
        return resolved;
    }

    private async Task<ResolvedVersion> ReadAsync(Guid agentId, Guid? versionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // One query in the usual case; only when it finds nothing do the lookups one by one say what is missing.
        var rows = versionId is { } id
            ? await VersionRows.For(db)(db, agentId, id, cancellationToken)
            : await DeployedRows.For(db)(db, agentId, cancellationToken);
        if (rows is null)
        {
            await ExplainMissingAsync(db, agentId, versionId, cancellationToken);
            // Every row exists now: a concurrent write (a deploy, a provider change) landed between the two reads.
            throw new DomainException(
                DomainError.Conflict("the agent's configuration changed while the run was starting; try again")
            );
        }

        // The run's driver needs provider and plan limits next: read with the version, they save it a round trip.
        var key = await ProviderKeyAsync(rows.Provider, cancellationToken);
        var driver = new DriverSettings(rows.Provider, WorkspaceSettings.PlanLimitsOf(rows.Workspace))
        {
            ApiKey = key.Value,
            KeyRefusal = key.Refusal,
        };
        return new ResolvedVersion(
            rows.Agent,
            rows.Version,
            rows.Provider,
            ToSnapshot(rows.Agent, rows.Version, rows.Provider)
        )
        {
            Driver = driver,
        };
    }

    public async Task<LlmProviderRow> ProviderAsync(Guid providerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ProviderById.For(db)(db, providerId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("llm provider", providerId));
    }

    /// <summary>
    /// What a run driver reads once besides its frozen version: the provider's current row (its credentials may
    /// have rotated) and the workspace plan limits. One context and one connection for both.
    /// </summary>
    public async Task<DriverSettings> DriverSettingsAsync(
        Guid tenantId,
        Guid providerId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Opening an EF SQLite connection (it registers its functions) costs more than either lookup.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var provider = await ProviderById.For(db)(db, providerId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("llm provider", providerId));
        var limits = await WorkspaceSettings.PlanLimitsAsync(db, tenantId, cancellationToken);

        // The key is read per run driver, not cached: a rotated secret takes effect on the next run.
        var key = await ProviderKeyAsync(provider, cancellationToken);
        return new DriverSettings(provider, limits) { ApiKey = key.Value, KeyRefusal = key.Refusal };
    }

    /// <summary>The provider's key, if its secret is the provider's own (SecretOwner).</summary>
    private async Task<Secrets.SecretUse> ProviderKeyAsync(
        LlmProviderRow provider,
        CancellationToken cancellationToken
    ) =>
        provider.ApiKeySecretName is { } name
            ? await secrets.GetForAsync(
                provider.TenantId,
                name,
                Core.Secrets.SecretOwner.Provider(provider.Id),
                cancellationToken
            )
            : new Secrets.SecretUse(null, null);

    private static async Task<ResolvedRows> ExplainMissingAsync(
        SkeinDbContext db,
        Guid agentId,
        Guid? versionId,
        CancellationToken cancellationToken
    )
    {
        var agent = await AgentById.For(db)(db, agentId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("agent", agentId));

        var version = versionId is { } id
            ? await VersionById.For(db)(db, agentId, id, cancellationToken)
                ?? throw new DomainException(DomainError.NotFound("agent version", id))
            : await DeployedVersion.For(db)(db, agentId, cancellationToken)
                ?? throw new DomainException(
                    new DomainError(NoDeployedVersion, $"agent '{agent.Name}' has no deployed version")
                );

        var provider = await ProviderById.For(db)(db, agent.LlmProviderId, cancellationToken)
            ?? throw new DomainException(DomainError.NotFound("llm provider", agent.LlmProviderId));

        return new ResolvedRows(agent, version, provider);
    }

    public static VersionSnapshot ToSnapshot(AgentRow agent, AgentVersionRow version, LlmProviderRow provider) =>
        new()
        {
            AgentId = agent.Id,
            AgentName = agent.Name,
            ExecutionMode = Enum.Parse<ExecutionMode>(agent.ExecutionMode),
            AgentVersionId = version.Id,
            VersionLabel = version.Label,
            LlmProviderId = provider.Id,
            ProviderKind = provider.Kind,
            Model = version.Model,
            Instructions = version.Instructions,
            Temperature = version.Temperature,
            TopP = version.TopP,
            TopK = version.TopK,
            InputSchema = version.InputSchema is null ? null : SkeinJson.Parse(version.InputSchema),
            OutputSchema = version.OutputSchema is null ? null : SkeinJson.Parse(version.OutputSchema),
            Operations = JsonSerializer.Deserialize<List<string>>(version.Operations, SkeinJson.Options) ?? [],
            Limits = JsonSerializer.Deserialize<RunLimits>(version.Limits, SkeinJson.Options) ?? new RunLimits(),
            Conversation = version.Conversation == "multi_turn" ? ConversationMode.MultiTurn : ConversationMode.Single,
            ConversationIdleTimeout = TimeSpan.FromSeconds(version.ConversationIdleTimeoutSec),
            MidRunMessages = MidRunMessagesWire.Parse(version.MidRunMessages) ?? MidRunMessages.Enqueue,
            Script = JsonSerializer.Deserialize<List<ScriptTurn>>(version.Script, SkeinJson.Options) ?? [],
            GuardRules = JsonSerializer.Deserialize<List<Core.Guards.GuardRule>>(version.GuardRules, SkeinJson.Options)
                ?? [],
            CanExecuteSubAgents = version.CanExecuteSubAgents,
            AllowedSubAgents = JsonSerializer.Deserialize<List<Guid>>(version.AllowedSubAgents, SkeinJson.Options)
                ?? [],
            SubAgentExecutionModel = Enum.Parse<SubAgentExecutionModel>(version.SubAgentExecutionModel),
        };
}

public sealed record ResolvedVersion(
    AgentRow Agent,
    AgentVersionRow Version,
    LlmProviderRow Provider,
    VersionSnapshot Snapshot
)
{
    /// <summary>What the run's driver reads, as of this resolve (fresh for the run being started now).</summary>
    public required DriverSettings Driver { get; init; }
}

public sealed record DriverSettings(LlmProviderRow Provider, PlanLimits PlanLimits)
{
    /// <summary>The provider's API key from its secret; null when it has none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Why the provider may not use the secret it names (it belongs to another); its calls then fail with
    /// this.</summary>
    public string? KeyRefusal { get; init; }

    // Records print their members; the key must never reach a log line.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Provider = ").Append(Provider.Name).Append(", PlanLimits = ").Append(PlanLimits);
        return true;
    }
}

internal sealed record CachedResolve(ResolvedVersion Version, long Generation, long ReadAt);

internal sealed record ResolvedRows(AgentRow Agent, AgentVersionRow Version, LlmProviderRow Provider)
{
    public WorkspaceRow? Workspace { get; init; }
}
