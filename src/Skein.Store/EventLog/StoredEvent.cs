using Skein.Core.Events;

namespace Skein.Store.EventLog;

/// <summary>A committed session event with its session sequence (the SSE id a reader resumes after).</summary>
public sealed record StoredEvent(long Sequence, SessionEvent Event);
