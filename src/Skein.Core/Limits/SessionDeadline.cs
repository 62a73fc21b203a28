using Skein.Core.Sessions;

namespace Skein.Core.Limits;

/// <summary>
/// When a session runs out of time even if nothing runs (SPEC section 3): <c>maxSessionDurationSec</c> after its start,
/// and, while it is Running, the moment its active time would pass the plan's max active session time (frozen in the
/// start context). A waiting session's active time does not grow, so only the duration deadline applies to it. The
/// store keeps the deadline as a column, and the run supervisor fails the session once it has passed.
/// </summary>
public static class SessionDeadline
{
    /// <summary>The earliest instant the session exceeds a time limit; null when finished or unlimited.</summary>
    public static DateTimeOffset? Of(SessionState session)
    {
        if (session.IsTerminal)
        {
            return null;
        }

        DateTimeOffset? deadline = session.StartContext.Version.Limits.MaxSessionDurationSec is { } maxSec
            ? session.StartedAt + TimeSpan.FromSeconds(maxSec)
            : null;
        if (
            session.StartContext.MaxActiveSessionSec is { } activeSec
            && session.RunningSince is { } since
            && since + (TimeSpan.FromSeconds(activeSec) - session.ActiveTime) is var activeDeadline
            && (deadline is null || activeDeadline < deadline)
        )
        {
            deadline = activeDeadline;
        }

        return deadline;
    }

    /// <summary>
    /// The error a session fails with at <paramref name="now"/> when a time limit has passed (the same text as the
    /// step-boundary check of <see cref="LimitRules.CheckSession"/>); null while within its limits.
    /// </summary>
    public static string? Exceeded(SessionState session, DateTimeOffset now)
    {
        if (session.IsTerminal)
        {
            return null;
        }

        var plan = session.StartContext.MaxActiveSessionSec is { } activeSec
            ? new PlanLimits { MaxActiveSessionTime = TimeSpan.FromSeconds(activeSec) }
            : new PlanLimits { MaxActiveSessionTime = TimeSpan.MaxValue };
        var limits = session.StartContext.Version.Limits with { MaxSessionTokens = null };
        return LimitRules.CheckSession(session, limits, plan, now);
    }
}
