using Skein.Core.Events;

namespace Skein.Core.Sessions;

/// <summary>
/// A decision in progress: the events decided so far and the state they fold to, so each rule sees the
/// effect of the previous one. The first rejection wins and later steps become no-ops.
/// </summary>
public sealed class SessionChange(SessionState? before)
{
    private readonly List<SessionEvent> _events = [];

    public SessionState? Before { get; } = before;

    public SessionState? State { get; private set; } = before;

    public IReadOnlyList<SessionEvent> Events => _events;

    public DomainError? Error { get; private set; }

    public bool Rejected => Error is not null;

    /// <summary>The state after the change; only valid when a session exists.</summary>
    public SessionState Current => State ?? throw new InvalidOperationException("no session yet");

    public void Emit(SessionEvent e)
    {
        if (Rejected)
        {
            return;
        }

        _events.Add(e);
        State = SessionFold.Apply(State, e);
    }

    public void Reject(DomainError error) => Error ??= error;
}
