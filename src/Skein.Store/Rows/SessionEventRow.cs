using Skein.Store.EventLog;
using static Skein.Store.EventLog.RowColumn<Skein.Store.EventLog.EventOf>;

namespace Skein.Store.Rows;

/// <summary>
/// One entry of the append-only event log. (SessionId, Sequence) is unique: the per-stream concurrency
/// guard. <see cref="GlobalSequence"/> orders all events for readers that follow the whole log.
/// </summary>
public sealed class SessionEventRow
{
    /// <summary>The <c>session_events</c> columns the append writes (<c>global_sequence</c> is the store's); an
    /// event is never changed once written.</summary>
    public static readonly RowMap<EventOf> Map = new(
        "session_events",
        Fixed("session_id", x => x.Session.Id),
        Fixed("sequence", x => x.Sequence),
        Fixed("tenant_id", x => x.Session.TenantId),
        Fixed("type", x => x.Event.TypeName),
        Fixed("data", x => StoredEvents.Data(x.Event)),
        Fixed("actor", x => x.Event.Actor),
        Fixed("occurred_at", x => x.Event.At)
    );

    public long GlobalSequence { get; set; }
    public Guid SessionId { get; set; }
    public long Sequence { get; set; }
    public Guid TenantId { get; set; }
    public required string Type { get; set; }
    public required string Data { get; set; }
    public required string Actor { get; set; }
    public DateTime OccurredAt { get; set; }
}
