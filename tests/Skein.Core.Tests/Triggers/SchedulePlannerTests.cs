using Skein.Core.Triggers;

namespace Skein.Core.Tests.Triggers;

public sealed class SchedulePlannerTests
{
    private static DateTime Utc(int hour, int minute = 0) => new(2026, 1, 1, hour, minute, 0, DateTimeKind.Utc);

    /// <summary>Every full hour: a sequence of instants, without any cron parser.</summary>
    private sealed class Hourly : IScheduleSlots
    {
        public DateTime? NextAfter(DateTime afterUtc) =>
            new DateTime(afterUtc.Year, afterUtc.Month, afterUtc.Day, afterUtc.Hour, 0, 0, DateTimeKind.Utc).AddHours(
                1
            );
    }

    private sealed class Never : IScheduleSlots
    {
        public DateTime? NextAfter(DateTime afterUtc) => null;
    }

    private static readonly Hourly Slots = new();

    [Fact]
    public void A_new_schedule_waits_for_its_first_slot_after_now() =>
        Assert.Equal(Utc(13), SchedulePlanner.FirstSlot(Slots, Utc(12, 30)));

    [Fact]
    public void After_downtime_a_missed_slot_fires_once_and_the_next_is_the_first_after_now()
    {
        var plan = SchedulePlanner.PlanFire(Slots, due: Utc(9), now: Utc(17, 30));

        Assert.Equal(new FirePlan(true, Utc(18)), plan);
    }

    [Fact]
    public void A_slot_in_the_future_does_not_fire_and_stays_planned() =>
        Assert.Equal(new FirePlan(false, Utc(13)), SchedulePlanner.PlanFire(Slots, due: Utc(13), now: Utc(12, 59)));

    [Fact]
    public void A_schedule_that_never_fires_again_has_no_next_slot() =>
        Assert.Equal(new FirePlan(true, null), SchedulePlanner.PlanFire(new Never(), due: Utc(9), now: Utc(10)));

    [Fact]
    public void An_inactive_trigger_has_no_slot() =>
        Assert.Null(SchedulePlanner.SlotAfterEdit(Slots, active: false, replan: true, planned: Utc(13), Utc(12)));

    [Fact]
    public void An_edit_that_does_not_retime_keeps_the_planned_slot() =>
        Assert.Equal(
            Utc(15),
            SchedulePlanner.SlotAfterEdit(Slots, active: true, replan: false, planned: Utc(15), now: Utc(12, 10))
        );

    [Fact]
    public void A_retimed_or_unplanned_schedule_waits_for_the_first_slot_after_now()
    {
        Assert.Equal(Utc(13), SchedulePlanner.SlotAfterEdit(Slots, true, replan: true, planned: Utc(15), Utc(12, 10)));
        Assert.Equal(Utc(13), SchedulePlanner.SlotAfterEdit(Slots, true, replan: false, planned: null, Utc(12, 10)));
    }

    [Fact]
    public void A_new_retimed_or_reactivated_schedule_must_be_replanned_but_a_new_input_alone_keeps_its_slot()
    {
        var daily = new ScheduledTriggerSettings { Cron = "0 9 * * *", TimeZone = "UTC" };
        var otherInput = daily with { Input = System.Text.Json.JsonDocument.Parse("{\"a\":1}").RootElement };

        Assert.True(SchedulePlanner.MustReplan(null, false, daily, true));
        Assert.True(SchedulePlanner.MustReplan(daily, true, daily with { Cron = "0 10 * * *" }, true));
        Assert.True(SchedulePlanner.MustReplan(daily, true, daily with { TimeZone = "Europe/Paris" }, true));
        Assert.True(SchedulePlanner.MustReplan(daily, false, daily, true));
        Assert.False(SchedulePlanner.MustReplan(daily, true, otherInput, true));
    }
}
