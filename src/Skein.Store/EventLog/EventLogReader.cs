using Microsoft.EntityFrameworkCore;
using Skein.Core.Events;
using Skein.Core.Sessions;

namespace Skein.Store.EventLog;

/// <summary>Loads a session by replaying its stream through the same fold that built its rows.</summary>
public sealed class EventLogReader(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<SessionState?> LoadAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var data = await db
            .SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId)
            .OrderBy(e => e.Sequence)
            .Select(e => e.Data)
            .ToListAsync(cancellationToken);
        return data.Count == 0 ? null : SessionFold.Replay(data.Select(StoredEvents.Read));
    }

    /// <summary>Events after <paramref name="afterSequence"/>, in order: what a resuming reader missed.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(
        Guid sessionId,
        long afterSequence,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db
            .SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId && e.Sequence > afterSequence)
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Data })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new StoredEvent(r.Sequence, StoredEvents.Read(r.Data)))];
    }
}
