using Skein.Core;
using Skein.Manifests.Scheduling;

namespace Skein.Manifests.Tests.Scheduling;

public sealed class CronScheduleTests
{
    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, DateTimeKind.Utc);

    [Fact]
    public void A_daily_slot_in_berlin_is_an_hour_before_utc_in_winter_and_two_in_summer()
    {
        var schedule = CronSchedule.TryParse("30 9 * * *", "Europe/Berlin").Value!;

        Assert.Equal(Utc(2026, 1, 2, 8, 30), schedule.NextAfter(Utc(2026, 1, 1, 12, 0)));
        Assert.Equal(Utc(2026, 7, 2, 7, 30), schedule.NextAfter(Utc(2026, 7, 1, 12, 0)));
    }

    [Fact]
    public void The_next_slot_is_strictly_after_the_given_instant()
    {
        var schedule = CronSchedule.TryParse("0 * * * *", "UTC").Value!;

        Assert.Equal(Utc(2026, 1, 1, 13, 0), schedule.NextAfter(Utc(2026, 1, 1, 12, 0)));
    }

    [Fact]
    public void Six_fields_schedule_by_the_second()
    {
        var schedule = CronSchedule.TryParse("*/15 * * * * *", "UTC").Value!;

        Assert.Equal(Utc(2026, 1, 1, 12, 0, 15), schedule.NextAfter(Utc(2026, 1, 1, 12, 0, 3)));
    }

    [Fact]
    public void After_downtime_a_missed_slot_fires_once_and_the_next_slot_is_the_first_after_now()
    {
        var schedule = CronSchedule.TryParse("0 * * * *", "UTC").Value!;

        var plan = Skein.Core.Triggers.SchedulePlanner.PlanFire(
            schedule,
            due: Utc(2026, 1, 1, 13, 0),
            now: Utc(2026, 1, 1, 17, 30)
        );

        Assert.True(plan.Fire);
        Assert.Equal(Utc(2026, 1, 1, 18, 0), plan.Next);
    }

    [Fact]
    public void A_slot_in_the_future_does_not_fire()
    {
        var schedule = CronSchedule.TryParse("0 * * * *", "UTC").Value!;

        var plan = Skein.Core.Triggers.SchedulePlanner.PlanFire(
            schedule,
            due: Utc(2026, 1, 1, 13, 0),
            now: Utc(2026, 1, 1, 12, 59, 59)
        );

        Assert.False(plan.Fire);
        Assert.Equal(Utc(2026, 1, 1, 13, 0), plan.Next);
    }

    [Theory]
    [InlineData("", "UTC", "needs a cron")]
    [InlineData("61 * * * *", "UTC", "invalid cron")]
    [InlineData("0 9 * * *", "Mars/Olympus_Mons", "unknown time zone")]
    public void Bad_schedules_are_invalid_input_with_a_reason(string cron, string zone, string reason)
    {
        var error = CronSchedule.TryParse(cron, zone).Error;

        Assert.NotNull(error);
        Assert.Equal(DomainErrorCodes.InvalidInput, error.Code);
        Assert.Contains(reason, error.Message);
    }
}
