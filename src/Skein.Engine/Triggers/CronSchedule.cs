using Cronos;
using Skein.Core;

namespace Skein.Engine.Triggers;

/// <summary>
/// A parsed cron expression in an IANA time zone (Cronos handles daylight-saving gaps and overlaps).
/// Missed-fire policy: a due slot fires once however many slots were missed, and the next slot is the
/// first one after now, so a node that was down for a day starts one session, not one per slot.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>Parses five-field (minutes) or six-field (seconds first) cron text; errors are
    /// <c>invalid_input</c>.</summary>
    public static CronSchedule Parse(string cron, string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            throw new DomainException(
                new DomainError(DomainErrorCodes.InvalidInput, "a scheduled trigger needs a cron expression")
            );
        }

        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(
                cron.Trim(),
                fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard
            );
        }
        catch (CronFormatException ex)
        {
            throw new DomainException(
                new DomainError(DomainErrorCodes.InvalidInput, $"invalid cron expression '{cron}': {ex.Message}")
            );
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.InvalidInput,
                    $"unknown time zone '{timeZone}' (use an IANA id such as Europe/Berlin)"
                )
            );
        }

        return new CronSchedule(expression, zone);
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when the expression never fires
    /// again.</summary>
    public DateTime? NextAfter(DateTime after) =>
        _expression.GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Utc), _zone, inclusive: false);

    /// <summary>What to do with a trigger whose slot <paramref name="due"/> is at or before <paramref name="now"/>:
    /// fire once, then wait for the next slot after now.</summary>
    public FirePlan PlanFire(DateTime due, DateTime now) =>
        new(Fire: due <= now, Next: due <= now ? NextAfter(now) : due);
}

/// <summary>Whether a slot fires now, and the slot to wait for next.</summary>
public sealed record FirePlan(bool Fire, DateTime? Next);
