using Skein.Core.Sessions;

namespace Skein.Store.EventLog;

/// <summary>Which session count one session's status sits in (see <see cref="Rows.SessionCountRow"/>).</summary>
internal readonly record struct SessionCountKey(
    Guid TenantId,
    Guid AgentId,
    Guid AgentVersionId,
    Guid TriggerId,
    SessionStatus Status
)
{
    public static SessionCountKey Of(SessionState s) =>
        new(s.TenantId, s.AgentId, s.AgentVersionId, s.TriggerId ?? Guid.Empty, s.Status);
}

/// <summary>
/// The session counts a batch of appends moves, merged per count: one upsert per count a batch touches rather than
/// per session. Counts are written in one fixed order so two nodes' batches lock the same rows in the same order
/// (PostgreSQL cannot deadlock on them), and last in the transaction so those row locks are held only until commit.
/// </summary>
internal static class SessionCountDeltas
{
    /// <summary>What one append moves: a new session adds one to its status; a status change moves one
    /// across.</summary>
    public static IReadOnlyList<KeyValuePair<SessionCountKey, int>> Of(SessionState? before, SessionState after)
    {
        if (before is null)
        {
            return [new(SessionCountKey.Of(after), 1)];
        }

        return before.Status == after.Status
            ? []
            : [new(SessionCountKey.Of(before), -1), new(SessionCountKey.Of(after), 1)];
    }

    public static IEnumerable<AppendRow> Rows(IEnumerable<PreparedAppend> batch, RowValues values)
    {
        var merged = new Dictionary<SessionCountKey, int>();
        foreach (var (key, delta) in batch.SelectMany(a => a.CountDeltas))
        {
            merged[key] = merged.GetValueOrDefault(key) + delta;
        }

        return merged
            .Where(m => m.Value != 0)
            .OrderBy(m => m.Key.TenantId)
            .ThenBy(m => m.Key.AgentId)
            .ThenBy(m => m.Key.AgentVersionId)
            .ThenBy(m => m.Key.TriggerId)
            .ThenBy(m => m.Key.Status)
            .Select(m => AppendCommands.AddSessionCount(values, m.Key, m.Value));
    }
}
