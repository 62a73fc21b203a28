using Microsoft.EntityFrameworkCore;
using Skein.Store;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>Agent id → name for session rows (agents are few; sessions carry only the id).</summary>
public static class AgentNames
{
    public static async Task<IReadOnlyDictionary<Guid, string>> LoadAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Agents.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Name, cancellationToken);
    }
}
