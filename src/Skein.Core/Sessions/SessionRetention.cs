namespace Skein.Core.Sessions;

/// <summary>
/// How long a workspace keeps finished sessions (SPEC: retention, days to keep finished sessions). A finished session
/// is deleted, with everything it holds, once it finished more than the retention days ago; a session that has not
/// finished is never deleted, however old.
/// </summary>
public static class SessionRetention
{
    public const int MinDays = 1;
    public const int MaxDays = 3650;

    /// <summary>The statuses a session can be deleted in: the finished ones, which never change again.</summary>
    public static IReadOnlyList<SessionStatus> Deletable { get; } =
    [SessionStatus.Completed, SessionStatus.Failed, SessionStatus.Terminated];

    public static bool IsValidDays(int days) => days is >= MinDays and <= MaxDays;

    /// <summary>Sessions that finished before this instant are past retention.</summary>
    public static DateTimeOffset Cutoff(DateTimeOffset now, int retentionDays) =>
        now - TimeSpan.FromDays(Math.Clamp(retentionDays, MinDays, MaxDays));
}
