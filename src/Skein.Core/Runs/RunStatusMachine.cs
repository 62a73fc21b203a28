namespace Skein.Core.Runs;

/// <summary>
/// Run transitions. Runs never become Terminated themselves: an operator Terminate fails every
/// non-terminal run with <c>terminated by operator</c> and terminates the session (SPEC section 2).
/// </summary>
public static class RunStatusMachine
{
    private static readonly RunStatus[] Waiting =
    [
        RunStatus.WaitingForHITL,
        RunStatus.WaitingForAITL,
        RunStatus.WaitingForResponse,
        RunStatus.WaitingForTimer,
    ];

    public static StatusMachine<RunStatus> Instance { get; } =
        new(
            "run",
            [
                .. Waiting.Select(w => (RunStatus.Running, w)),
                .. Waiting.Select(w => (w, RunStatus.Running)),
                (RunStatus.Running, RunStatus.Completed),
                (RunStatus.Running, RunStatus.Failed),
                .. Waiting.Select(w => (w, RunStatus.Completed)),
                .. Waiting.Select(w => (w, RunStatus.Failed)),
            ],
            [RunStatus.Completed, RunStatus.Failed, RunStatus.Terminated]
        );

    public static bool IsTerminal(RunStatus status) => Instance.IsTerminal(status);

    /// <summary>The session status a root run's status implies.</summary>
    public static Sessions.SessionStatus ToSessionStatus(RunStatus status) =>
        Enum.Parse<Sessions.SessionStatus>(status.ToString());
}
