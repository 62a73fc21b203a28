namespace Skein.Store.EventLog;

/// <summary>Another writer appended to the session stream first; reload the session and decide again.</summary>
public sealed class StreamConflictException(Guid sessionId, long expectedVersion, Exception? inner = null)
    : Exception($"session {sessionId} moved past version {expectedVersion} before this append", inner)
{
    public Guid SessionId { get; } = sessionId;
}
