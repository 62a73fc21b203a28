namespace Skein.Server.Dashboard.Auth;

/// <summary>Sign-in outcomes: failures are worth seeing in the log (someone guessing the password).</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(
        EventId = 5101,
        Level = LogLevel.Information,
        Message = "Operator {User} signed in to the dashboard from {Remote}"
    )]
    public static partial void SignedIn(ILogger logger, string user, string? remote);

    [LoggerMessage(
        EventId = 5102,
        Level = LogLevel.Warning,
        Message = "Failed dashboard sign-in for {User} from {Remote}"
    )]
    public static partial void SignInFailed(ILogger logger, string? user, string? remote);

    [LoggerMessage(
        EventId = 5103,
        Level = LogLevel.Warning,
        Message = "Dashboard sign-in for {User} from {Remote} refused: the account is locked for {Seconds} s"
    )]
    public static partial void SignInLocked(ILogger logger, string? user, string? remote, int seconds);
}
