using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Runs;
using Skein.Core.Triggers;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>Trigger lookups: one trigger, an agent's triggers, its api trigger and that trigger's live load.</summary>
public sealed class TriggerQueries(IDbContextFactory<SkeinDbContext> contexts)
{
    private static readonly string[] Finished =
    [
        nameof(RunStatus.Completed),
        nameof(RunStatus.Failed),
        nameof(RunStatus.Terminated),
    ];

    public async Task<TriggerRow?> FindAsync(Guid triggerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Triggers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == triggerId, cancellationToken);
    }

    /// <summary>The agent's triggers by name.</summary>
    public async Task<IReadOnlyList<TriggerRow>> OfAgentAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Triggers.AsNoTracking()
            .Where(t => t.AgentId == agentId)
            .OrderBy(t => t.Name)
            .ToListAsync(cancellationToken);
    }

    /// <summary>The workspace's api triggers (what an API key can be scoped to).</summary>
    public async Task<IReadOnlyList<TriggerRow>> ApiTriggersAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Triggers.AsNoTracking()
            .Where(t => t.TenantId == tenantId && t.Type == TriggerTypes.Api)
            .ToListAsync(cancellationToken);
    }

    private static readonly PerProvider<Func<SkeinDbContext, Guid, CancellationToken, Task<TriggerRow?>>> ApiTriggerOf =
        new(() =>
            EF.CompileAsyncQuery(
                (SkeinDbContext db, Guid agentId, CancellationToken _) =>
                    db.Triggers.AsNoTracking().FirstOrDefault(t => t.AgentId == agentId && t.Type == TriggerTypes.Api)
            )
        );

    // Found api triggers only: a miss (an unknown agent id, from anyone) is never kept, so the map holds at most one
    // entry per agent.
    private readonly ConcurrentDictionary<Guid, CachedTrigger> _apiTriggers = new();

    /// <summary>
    /// The agent's api trigger. Every <c>/v1</c> start reads it twice (the input limit, then the start), so a found one
    /// is kept like resolved versions: dropped on this process's next trigger write
    /// (<see cref="CatalogGeneration.Triggers"/>), and a change made on another node is seen within
    /// <see cref="AgentCatalog.ResolvedTimeToLive"/>. Each caller gets its own copy.
    /// </summary>
    public async Task<TriggerRow?> ApiTriggerAsync(Guid agentId, CancellationToken cancellationToken)
    {
        var generation = CatalogGeneration.Triggers;
        var now = Environment.TickCount64;
        if (
            _apiTriggers.TryGetValue(agentId, out var cached)
            && cached.Generation == generation
            && now - cached.ReadAt < AgentCatalog.ResolvedTimeToLive.TotalMilliseconds
        )
        {
            return cached.Trigger.Copy();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var trigger = await ApiTriggerOf.For(db)(db, agentId, cancellationToken);
        if (trigger is null)
        {
            _apiTriggers.TryRemove(agentId, out _);
            return null;
        }

        _apiTriggers[agentId] = new CachedTrigger(trigger.Copy(), generation, now);
        return trigger;
    }

    private sealed record CachedTrigger(TriggerRow Trigger, long Generation, long ReadAt);

    public async Task<int> UnfinishedSessionsAsync(Guid triggerId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Sessions.CountAsync(
            s => s.TriggerId == triggerId && !Finished.Contains(s.Status),
            cancellationToken
        );
    }

    public static ApiTriggerSettings ApiSettings(TriggerRow trigger) => Settings<ApiTriggerSettings>(trigger);

    /// <summary>The trigger's settings JSON as its type's record (defaults for an empty or null document).</summary>
    public static T Settings<T>(TriggerRow trigger)
        where T : new() => JsonSerializer.Deserialize<T>(trigger.Settings, SkeinJson.Options) ?? new T();
}
