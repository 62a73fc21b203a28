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

    public async Task<TriggerRow?> ApiTriggerAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Triggers.AsNoTracking()
            .FirstOrDefaultAsync(t => t.AgentId == agentId && t.Type == TriggerTypes.Api, cancellationToken);
    }

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
