namespace Skein.Core.Runs;

/// <summary>Run status; wire strings are the member names (SPEC section 2).</summary>
public enum RunStatus
{
    Running,
    WaitingForHITL,
    WaitingForAITL,
    WaitingForResponse,
    WaitingForTimer,
    Completed,
    Failed,
    Terminated,
}
