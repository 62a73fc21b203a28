using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Runs;

/// <summary>
/// <c>maxSessionDurationSec</c> while a session waits on a person is a durable deadline (SPEC section 3), not an
/// in-memory timer: a deadline that passed while the server was down fails the session at the next start, and one
/// not yet reached survives the restart and fires when it is due.
/// </summary>
public class DeadlineRestartTests : EngineTestBase
{
    private const int MaxSeconds = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Guid SessionId, DateTimeOffset StartedAt)> WaitingOnAPersonAsync()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 25 })), Says("refunded")],
                Limits = new RunLimits { MaxSessionDurationSec = MaxSeconds },
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        return (started.SessionId, clock.GetUtcNow());
    }

    [Fact]
    public async Task A_deadline_that_passed_while_the_server_was_down_fails_the_session_at_the_next_start()
    {
        var (sessionId, startedAt) = await WaitingOnAPersonAsync();

        // The process is down across the deadline; the next one starts 90 s after the session did.
        var later = TestClock.Create();
        later.SetUtcNow(startedAt.AddSeconds(90));
        await RestartAsync(later);
        var failed = await Host.WaitForStatusAsync(sessionId, "Failed");

        Assert.StartsWith(LimitCodes.SessionDuration, failed.Session.Error);
        Assert.StartsWith(LimitCodes.SessionDuration, Assert.Single(failed.Runs).Error);
        Assert.Null(await DeadlineAsync(sessionId));
    }

    [Fact]
    public async Task A_deadline_not_yet_reached_survives_a_restart_and_fires_when_due()
    {
        var (sessionId, startedAt) = await WaitingOnAPersonAsync();
        Assert.Equal(startedAt.AddSeconds(MaxSeconds).UtcDateTime, await DeadlineAsync(sessionId));

        var later = TestClock.Create();
        later.SetUtcNow(startedAt.AddSeconds(30));
        await RestartAsync(later);
        await Host.Timers.WakeDueAsync(Ct);
        Assert.Equal("WaitingForHITL", (await Host.Queries.GetAsync(sessionId, Ct))!.Session.Status);

        later.Advance(TimeSpan.FromSeconds(29));
        await Host.Timers.WakeDueAsync(Ct);
        Assert.Equal("WaitingForHITL", (await Host.Queries.GetAsync(sessionId, Ct))!.Session.Status);

        // "Longer than maxSessionDurationSec": the first supervisor round past the deadline fails the session.
        later.Advance(TimeSpan.FromSeconds(2));
        await Host.Timers.WakeDueAsync(Ct);
        var failed = await Host.WaitForStatusAsync(sessionId, "Failed");
        Assert.StartsWith(LimitCodes.SessionDuration, failed.Session.Error);
        Assert.Equal(later.GetUtcNow().UtcDateTime, failed.Session.FinishedAt);
    }

    /// <summary>The durable deadline the run supervisor reads (<c>sessions.deadline_at</c>).</summary>
    private async Task<DateTime?> DeadlineAsync(Guid sessionId)
    {
        await using var db = await Host.Contexts.CreateDbContextAsync(Ct);
        return await db.Sessions.Where(s => s.Id == sessionId).Select(s => s.DeadlineAt).SingleAsync(Ct);
    }
}

public sealed class DeadlineRestartTestsOnPostgres : DeadlineRestartTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
