namespace Skein.Core.Sessions;

/// <summary>Session transitions. A finished session (Completed, Failed, Terminated) never changes again.</summary>
public static class SessionStatusMachine
{
    private static readonly SessionStatus[] Waiting =
    [
        SessionStatus.WaitingForHITL,
        SessionStatus.WaitingForAITL,
        SessionStatus.WaitingForResponse,
        SessionStatus.WaitingForTimer,
    ];

    public static StatusMachine<SessionStatus> Instance { get; } =
        new(
            "session",
            [
                .. Waiting.Select(w => (SessionStatus.Running, w)),
                .. Waiting.Select(w => (w, SessionStatus.Running)),
                // A tree's status can move from one wait to another (a child's HITL pause ends while another child
                // still sleeps).
                .. Waiting.SelectMany(a => Waiting.Where(b => b != a).Select(b => (a, b))),
                (SessionStatus.Running, SessionStatus.Completed),
                (SessionStatus.Running, SessionStatus.Failed),
                (SessionStatus.Running, SessionStatus.Terminated),
                .. Waiting.Select(w => (w, SessionStatus.Completed)),
                .. Waiting.Select(w => (w, SessionStatus.Failed)),
                .. Waiting.Select(w => (w, SessionStatus.Terminated)),
            ],
            [SessionStatus.Completed, SessionStatus.Failed, SessionStatus.Terminated]
        );

    /// <summary>Mark complete is an operator action allowed only while the session waits (SPEC section 2).</summary>
    public static bool AllowsMarkComplete(SessionStatus status) => Waiting.Contains(status);

    public static bool IsTerminal(SessionStatus status) => Instance.IsTerminal(status);
}
