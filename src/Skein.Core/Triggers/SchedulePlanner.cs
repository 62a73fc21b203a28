namespace Skein.Core.Triggers;

/// <summary>
/// The slots of a schedule, as the planner needs them. Core takes no packages, so the cron parser that produces
/// one (<c>Skein.Manifests.Scheduling.CronSchedule</c>, the one place Cronos is used) lives outside and the
/// planning rules below stay pure and testable with any sequence of instants.
/// </summary>
public interface IScheduleSlots
{
    /// <summary>The first slot strictly after <paramref name="afterUtc"/>, or null when the schedule never fires
    /// again.</summary>
    DateTime? NextAfter(DateTime afterUtc);
}

/// <summary>Whether a slot fires now, and the slot to wait for next.</summary>
public sealed record FirePlan(bool Fire, DateTime? Next);

/// <summary>
/// The one planner of a scheduled trigger's <c>next_fire_at</c>. Nothing fires for the past: a new, re-timed or
/// re-activated schedule waits for its first slot after now, and after downtime a due slot fires once however many
/// slots were missed, then waits for the first slot after now (a node down for a day starts one session, not one
/// per slot).
/// </summary>
public static class SchedulePlanner
{
    /// <summary>The first slot of a schedule that has none yet.</summary>
    public static DateTime? FirstSlot(IScheduleSlots slots, DateTime now) => slots.NextAfter(now);

    /// <summary>What to do with the planned slot <paramref name="due"/> at <paramref name="now"/>.</summary>
    public static FirePlan PlanFire(IScheduleSlots slots, DateTime due, DateTime now) =>
        due <= now ? new FirePlan(true, slots.NextAfter(now)) : new FirePlan(false, due);

    /// <summary>
    /// Whether an edit re-times a schedule, so its planned slot no longer holds: a new trigger, a changed cron or
    /// zone, or a re-activation. A changed input alone keeps the slot.
    /// </summary>
    public static bool MustReplan(
        ScheduledTriggerSettings? before,
        bool wasActive,
        ScheduledTriggerSettings after,
        bool active
    ) => before is null || before.Cron != after.Cron || before.TimeZone != after.TimeZone || (active && !wasActive);

    /// <summary>
    /// The slot a trigger keeps after an edit: none while inactive; the first after now when it was created,
    /// re-timed (cron or zone changed), re-activated or never planned; otherwise the slot it already had.
    /// </summary>
    public static DateTime? SlotAfterEdit(
        IScheduleSlots slots,
        bool active,
        bool replan,
        DateTime? planned,
        DateTime now
    ) =>
        !active ? null
        : replan || planned is null ? FirstSlot(slots, now)
        : planned;
}
