using Microsoft.EntityFrameworkCore;
using Skein.Core.Events;
using Skein.Core.Sessions;

namespace Skein.Store.EventLog;

/// <summary>Loads a session by replaying its stream through the same fold that built its rows.</summary>
public sealed class EventLogReader(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<SessionState?> LoadAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var events = await ReadAfterAsync(sessionId, 0, cancellationToken);
        return events.Count == 0 ? null : SessionFold.Replay(events.Select(e => e.Event));
    }

    /// <summary>Events after <paramref name="afterSequence"/>, in order: what a resuming reader missed.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(
        Guid sessionId,
        long afterSequence,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Each step.appended event's step is its steps row (same session, the event's sequence): one query.
        var rows = await (
            from e in db.SessionEvents.AsNoTracking()
            where e.SessionId == sessionId && e.Sequence > afterSequence
            join s in db.Steps.AsNoTracking()
                on new { e.SessionId, Sequence = e.Sequence } equals new { s.SessionId, Sequence = s.EventSequence }
                into steps
            from s in steps.DefaultIfEmpty()
            orderby e.Sequence
            select new
            {
                e.Sequence,
                e.Type,
                e.Data,
                e.Actor,
                e.OccurredAt,
                Step = s,
            }
        ).ToListAsync(cancellationToken);

        string? startContext = null;
        if (rows.Count > 0 && StoredEvents.NeedsStartContext(rows[0].Type, rows[0].Data))
        {
            startContext = await db
                .Sessions.AsNoTracking()
                .Where(s => s.Id == sessionId)
                .Select(s => s.StartContext)
                .FirstAsync(cancellationToken);
        }

        return
        [
            .. rows.Select(r => new StoredEvent(
                r.Sequence,
                StoredEvents.Read(
                    r.Type,
                    r.Data,
                    r.Actor,
                    r.OccurredAt,
                    () => startContext ?? throw new InvalidOperationException("no start context was read"),
                    r.Step
                )
            )),
        ];
    }
}
