using Cronos;
using Skein.Core;
using Skein.Core.Triggers;

namespace Skein.Manifests.Scheduling;

/// <summary>
/// A parsed cron expression in an IANA time zone (Cronos handles daylight-saving gaps and overlaps): the one place
/// cron text is parsed. It sits in Skein.Manifests because that is the lowest project every caller sees (manifest
/// rules, the engine's schedule service, the trigger service) and Core takes no packages; the planning rules are
/// Core's <see cref="SchedulePlanner"/>.
/// </summary>
public sealed class CronSchedule : IScheduleSlots
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>Parses five-field (minutes) or six-field (seconds first) cron text in an IANA zone (UTC when
    /// none); a refusal is <c>invalid_input</c> naming the problem.</summary>
    public static Result<CronSchedule> TryParse(string? cron, string? timeZone)
    {
        if (ParseExpression(cron, out var expression) is { } badCron)
        {
            return badCron;
        }

        if (FindZone(timeZone, out var zone) is { } badZone)
        {
            return badZone;
        }

        return new CronSchedule(expression!, zone!);
    }

    /// <summary>The cron text's own problem, if any (for callers that point at the field).</summary>
    public static DomainError? CheckCron(string? cron) => ParseExpression(cron, out _);

    /// <summary>The time zone's own problem, if any.</summary>
    public static DomainError? CheckZone(string? timeZone) => FindZone(timeZone, out _);

    private static DomainError? ParseExpression(string? cron, out CronExpression? expression)
    {
        expression = null;
        if (TriggerRules.CheckCronPresent(cron) is { } missing)
        {
            return missing;
        }

        try
        {
            expression = CronExpression.Parse(
                cron!.Trim(),
                TriggerRules.CronHasSeconds(cron) ? CronFormat.IncludeSeconds : CronFormat.Standard
            );
            return null;
        }
        catch (CronFormatException ex)
        {
            return DomainError.Invalid($"invalid cron expression '{cron}': {ex.Message}");
        }
    }

    private static DomainError? FindZone(string? timeZone, out TimeZoneInfo? zone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(TriggerRules.ZoneOrUtc(timeZone), out zone)
            ? null
            : DomainError.Invalid($"unknown time zone '{timeZone}' (use an IANA id such as Europe/Berlin)");

    public DateTime? NextAfter(DateTime afterUtc) =>
        _expression.GetNextOccurrence(DateTime.SpecifyKind(afterUtc, DateTimeKind.Utc), _zone, inclusive: false);
}
