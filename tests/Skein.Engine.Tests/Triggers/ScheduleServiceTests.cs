using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Skein.Core;
using Skein.Core.Triggers;
using Skein.Engine.Triggers;
using Skein.Store.Rows;
using Skein.Testing;

namespace Skein.Engine.Tests.Triggers;

public sealed class ScheduleServiceTests : EngineTestBase
{
    private readonly FakeTimeProvider _clock = TestClock.Create();

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        await UseHostAsync(_clock, SlowPolls);
        await Schedules.StopAsync(TestContext.Current.CancellationToken);
    }

    // The tests poll with FireDueAsync themselves. A host's own schedule loop ticks once at start on a background
    // thread, at a moment of its choosing: on the fake clock a late tick could read a time the test set later and
    // fire a slot outside the test's awaited calls. Each host's loop is stopped (StopAsync waits for a tick in
    // flight) before the clock moves.

    // The tests fire slots themselves; hour-long poll periods keep a fake clock that jumps by hours
    // from replaying thousands of 50 ms timer ticks.
    private static void SlowPolls(EngineOptions o)
    {
        o.TimerPollInterval = TimeSpan.FromHours(1);
        o.SchedulePollInterval = TimeSpan.FromHours(1);
    }

    private static DateTime Utc(int year, int month, int day, int hour, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, DateTimeKind.Utc);

    private ScheduleService Schedules => Host.Services.GetRequiredService<ScheduleService>();

    private async Task<TriggerRow> AddScheduleAsync(
        Guid agentId,
        Guid tenantId,
        string cron,
        string zone,
        bool active = true
    )
    {
        var trigger = new TriggerRow
        {
            Id = Ids.New(),
            TenantId = tenantId,
            AgentId = agentId,
            Name = "schedule-" + Guid.NewGuid().ToString("N")[..6],
            Type = TriggerTypes.Scheduled,
            Active = active,
            CreatedAt = _clock.GetUtcNow().UtcDateTime,
            Settings = JsonSerializer.Serialize(
                new ScheduledTriggerSettings
                {
                    Cron = cron,
                    TimeZone = zone,
                    Input = JsonSerializer.SerializeToElement(new { report = "daily" }),
                },
                SkeinJson.Options
            ),
        };
        await using var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        db.Triggers.Add(trigger);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return trigger;
    }

    private async Task<TriggerRow> TriggerAsync(Guid id)
    {
        await using var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.Triggers.AsNoTracking().SingleAsync(t => t.Id == id, TestContext.Current.CancellationToken);
    }

    private async Task<List<SessionRow>> SessionsOfAsync(Guid triggerId)
    {
        await using var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db
            .Sessions.AsNoTracking()
            .Where(s => s.TriggerId == triggerId)
            .ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_schedule_in_berlin_fires_at_the_local_instant_and_not_a_second_before()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "30 9 * * *", "Europe/Berlin");

        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Utc(2026, 1, 2, 8, 30), (await TriggerAsync(trigger.Id)).NextFireAt);

        _clock.SetUtcNow(Utc(2026, 1, 2, 8, 29, 59));
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        Assert.Empty(await SessionsOfAsync(trigger.Id));

        _clock.SetUtcNow(Utc(2026, 1, 2, 8, 30));
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);

        var session = Assert.Single(await SessionsOfAsync(trigger.Id));
        Assert.Equal("scheduled", session.TriggerType);
        Assert.Equal(trigger.Name, session.TriggerName);
        Assert.Equal("daily", SkeinJson.Parse(session.Input ?? "{}").GetProperty("report").GetString());
        Assert.Equal(Utc(2026, 1, 2, 8, 30), session.StartedAt);
        var fired = await TriggerAsync(trigger.Id);
        Assert.Equal(Utc(2026, 1, 2, 8, 30), fired.LastFiredAt);
        Assert.Equal(Utc(2026, 1, 3, 8, 30), fired.NextFireAt);
        await Host.WaitForStatusAsync(session.Id, "Completed");
    }

    [Fact]
    public async Task After_a_restart_missed_slots_fire_once_and_the_schedule_resumes_from_now()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "0 * * * *", "UTC");
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Utc(2026, 1, 1, 13, 0), (await TriggerAsync(trigger.Id)).NextFireAt);

        // Down from 12:00 to 17:30: the 13:00 to 17:00 slots (five) were missed.
        await Host.DisposeAsync();
        _clock.SetUtcNow(Utc(2026, 1, 1, 17, 30));
        await UseHostAsync(_clock, SlowPolls);
        await Schedules.StopAsync(TestContext.Current.CancellationToken);
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);

        Assert.Single(await SessionsOfAsync(trigger.Id));
        Assert.Equal(Utc(2026, 1, 1, 18, 0), (await TriggerAsync(trigger.Id)).NextFireAt);
    }

    [Fact]
    public async Task Two_nodes_polling_the_same_store_fire_a_slot_exactly_once()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "*/5 * * * *", "UTC");
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        await using var second = await EngineTestHost.StartAsync(Store, _clock, SlowPolls);
        var otherNode = second.Services.GetRequiredService<ScheduleService>();
        await otherNode.StopAsync(TestContext.Current.CancellationToken);

        for (var slot = 1; slot <= 3; slot++)
        {
            _clock.SetUtcNow(Utc(2026, 1, 1, 12, 5 * slot));
            await Task.WhenAll(
                Schedules.FireDueAsync(TestContext.Current.CancellationToken),
                otherNode.FireDueAsync(TestContext.Current.CancellationToken),
                Schedules.FireDueAsync(TestContext.Current.CancellationToken),
                otherNode.FireDueAsync(TestContext.Current.CancellationToken)
            );
        }

        var sessions = await SessionsOfAsync(trigger.Id);
        await using var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var log = string.Join(
            "; ",
            (
                await db
                    .TriggerIngress.AsNoTracking()
                    .Where(e => e.TriggerId == trigger.Id)
                    .ToListAsync(TestContext.Current.CancellationToken)
            ).Select(e => $"{e.ReceivedAt:HH:mm} {e.DeliveryId} {e.Outcome} {e.Error}")
        );
        Assert.True(
            sessions
                .Select(s => s.StartedAt)
                .Order()
                .SequenceEqual([Utc(2026, 1, 1, 12, 5), Utc(2026, 1, 1, 12, 10), Utc(2026, 1, 1, 12, 15)]),
            $"sessions at {string.Join(", ", sessions.Select(s => s.StartedAt.ToString("HH:mm")))}; ingress: {log}"
        );
    }

    [Fact]
    public async Task An_inactive_schedule_never_fires()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "* * * * *", "UTC", active: false);

        _clock.Advance(TimeSpan.FromHours(3));
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromHours(3));
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await SessionsOfAsync(trigger.Id));
        Assert.Null((await TriggerAsync(trigger.Id)).LastFiredAt);
    }

    [Fact]
    public async Task A_fire_without_a_deployed_version_is_logged_as_a_failed_start_and_the_schedule_moves_on()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { State = Core.Agents.VersionState.Testing });
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "0 * * * *", "UTC");
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);

        _clock.SetUtcNow(Utc(2026, 1, 1, 13, 0));
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await SessionsOfAsync(trigger.Id));
        Assert.Equal(Utc(2026, 1, 1, 14, 0), (await TriggerAsync(trigger.Id)).NextFireAt);
        var entry = Assert.Single(
            await Host
                .Services.GetRequiredService<Store.Triggers.IngressLog>()
                .ListAsync(trigger.Id, 0, 10, TestContext.Current.CancellationToken)
        );
        Assert.Equal(IngressOutcomes.Failed, entry.Outcome);
        Assert.Contains("no deployed version", entry.Error);
    }

    [Fact]
    public async Task A_shutdown_right_after_a_slot_is_claimed_still_starts_its_session()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec());
        var trigger = await AddScheduleAsync(agent.AgentId, agent.TenantId, "0 * * * *", "UTC");
        await Schedules.FireDueAsync(TestContext.Current.CancellationToken);
        _clock.SetUtcNow(Utc(2026, 1, 1, 13, 0));

        // The node is told to stop the moment it has claimed the slot (its "firing" log line), before the start.
        using var stopping = new CancellationTokenSource();
        var node = new ScheduleService(
            Host.Services.GetRequiredService<Store.Triggers.ScheduleClaims>(),
            Host.Services.GetRequiredService<TriggerStarts>(),
            Host.Services.GetRequiredService<IOptions<EngineOptions>>(),
            _clock,
            new CancelOnFiring(stopping)
        );
        try
        {
            await node.FireDueAsync(stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // A tick cancelled after the start is allowed to say so; the session below is what counts.
        }

        Assert.True(stopping.IsCancellationRequested, "the slot was never claimed");
        var session = Assert.Single(await SessionsOfAsync(trigger.Id));
        Assert.Equal(Utc(2026, 1, 1, 13, 0), session.StartedAt);
        Assert.Equal(Utc(2026, 1, 1, 14, 0), (await TriggerAsync(trigger.Id)).NextFireAt);
    }

    private sealed class CancelOnFiring(CancellationTokenSource stopping) : ILogger<ScheduleService>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            if (eventId.Id == 3444)
            {
                stopping.Cancel();
            }
        }
    }
}
