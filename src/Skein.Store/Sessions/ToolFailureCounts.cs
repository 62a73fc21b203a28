using Microsoft.EntityFrameworkCore;
using Skein.Core.Steps;

namespace Skein.Store.Sessions;

/// <summary>
/// How many tool calls failed in each of a page of sessions (their <c>ToolResult</c> steps with an error), so a
/// session that completed after a failed call does not look fully green. Reads each session's steps by the steps
/// key (session id first).
/// </summary>
public sealed class ToolFailureCounts(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<IReadOnlyDictionary<Guid, int>> OfAsync(
        IReadOnlyCollection<Guid> sessionIds,
        CancellationToken cancellationToken
    )
    {
        if (sessionIds.Count == 0)
        {
            return new Dictionary<Guid, int>();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var counts = await db
            .Steps.AsNoTracking()
            .Where(s => sessionIds.Contains(s.SessionId) && s.Type == StepType.ToolResult && s.Error != null)
            .GroupBy(s => s.SessionId)
            .Select(g => new { SessionId = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return counts.ToDictionary(c => c.SessionId, c => c.Count);
    }
}
