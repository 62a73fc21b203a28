using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Runs;
using Skein.Core.Triggers;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>Trigger lookups for the public API: an agent's api trigger and its live load.</summary>
public sealed class TriggerQueries(IDbContextFactory<SkeinDbContext> contexts)
{
    private static readonly string[] Finished =
    [
        nameof(RunStatus.Completed),
        nameof(RunStatus.Failed),
        nameof(RunStatus.Terminated),
    ];

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

    public static ApiTriggerSettings ApiSettings(TriggerRow trigger) =>
        JsonSerializer.Deserialize<ApiTriggerSettings>(trigger.Settings, SkeinJson.Options) ?? new ApiTriggerSettings();
}
