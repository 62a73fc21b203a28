namespace Skein.Core.Sessions;

/// <summary>Session status; wire strings are the member names (SPEC section 2).</summary>
public enum SessionStatus
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
