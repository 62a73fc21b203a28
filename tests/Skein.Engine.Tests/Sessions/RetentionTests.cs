using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Engine.Timers;
using Skein.Engine.Tools;
using Skein.Store.Agents;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.Sessions;

/// <summary>Retention deletes finished sessions past the workspace's days, with everything they hold, and nothing
/// else.</summary>
public class RetentionTests : EngineTestBase
{
    [Fact]
    public async Task Purge_deletes_finished_sessions_past_the_cutoff_with_their_rows_and_keeps_unfinished_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        var quick = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        var chat = await Host.CreateAgentAsync(
            new AgentSpec { Conversation = ConversationMode.MultiTurn, Script = [Says("hi")] }
        );
        var asking = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [AskUserTools.Text],
                Script = [Calls((AskUserTools.Text, new { question = "Ship it?" })), Says("ok")],
            }
        );
        var finished = new List<Guid>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            finished.Add((await Host.RunToEndAsync(quick.AgentId)).Session.Id);
        }

        // A session with a user task, terminated while it waited: finished, with a task row to delete.
        var asked = await Host.StartRunAsync(asking.AgentId);
        await Host.WaitForStatusAsync(asked.SessionId, "WaitingForHITL");
        Assert.True((await Host.Actions.TerminateAsync(asked.SessionId, "operator:ann", ct)).Ok);
        finished.Add(asked.SessionId);
        var parked = await Host.StartRunAsync(chat.AgentId);
        await Host.WaitForStatusAsync(parked.SessionId, "WaitingForResponse");
        var purge = Host.Services.GetRequiredService<SessionPurge>();

        // Nothing finished before a cutoff in the past.
        Assert.Equal(0, await purge.DeleteBatchAsync(quick.TenantId, DateTimeOffset.UtcNow.AddHours(-1), 10, ct));

        var cutoff = DateTimeOffset.UtcNow.AddMinutes(1);
        var batches = new List<int>();
        for (
            var n = await purge.DeleteBatchAsync(quick.TenantId, cutoff, 3, ct);
            n > 0;
            n = await purge.DeleteBatchAsync(quick.TenantId, cutoff, 3, ct)
        )
        {
            batches.Add(n);
        }

        Assert.Equal([3, 1], batches);
        await using var db = await Host.Contexts.CreateDbContextAsync(ct);
        Assert.False(await db.Sessions.AnyAsync(s => finished.Contains(s.Id), ct));
        Assert.False(await db.SessionEvents.AnyAsync(e => finished.Contains(e.SessionId), ct));
        Assert.False(await db.Steps.AnyAsync(s => finished.Contains(s.SessionId), ct));
        Assert.False(await db.Runs.AnyAsync(r => finished.Contains(r.SessionId), ct));
        Assert.False(await db.UserTasks.AnyAsync(t => finished.Contains(t.SessionId), ct));
        Assert.Equal(
            1,
            await db
                .Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM session_start_contexts")
                .SingleAsync(ct)
        );

        var kept = (await Host.Queries.GetAsync(parked.SessionId, ct))!;
        Assert.Equal("WaitingForResponse", kept.Session.Status);
        Assert.NotEmpty(kept.Steps);
        Assert.Equal(1, await Host.Queries.CountAsync(new SessionFilter(quick.TenantId), ct));
        Assert.Equal(0, await Host.Queries.CountAsync(new SessionFilter(quick.TenantId) { Status = "Completed" }, ct));
        Assert.Equal(
            1,
            await Host.Queries.CountAsync(
                new SessionFilter(quick.TenantId) { AgentId = chat.AgentId, Status = "WaitingForResponse" },
                ct
            )
        );

        // The parked session still answers and finishes after the purge.
        Assert.True((await Host.Actions.MarkCompleteAsync(parked.SessionId, "operator:ann", ct)).Ok);
        Assert.Equal(1, await Host.Queries.CountAsync(new SessionFilter(quick.TenantId) { Status = "Completed" }, ct));
    }

    [Fact]
    public async Task The_sweep_keeps_a_finished_session_for_the_workspaces_retention_days()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = TestClock.Create();
        // The sweep is called directly (the service's own tick would race it). The fake clock fires a periodic timer
        // once per period it skips, so the pollers tick daily here, not every 50 ms across a month.
        await UseHostAsync(clock, o =>
        {
            o.RetentionSweepInterval = TimeSpan.FromDays(3650);
            o.TimerPollInterval = TimeSpan.FromDays(1);
            o.SchedulePollInterval = TimeSpan.FromDays(1);
        });
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        await using (var db = await Host.Contexts.CreateDbContextAsync(ct))
        {
            Assert.NotNull(await WorkspaceSettings.StageAsync(db, agent.TenantId, 30, 3600, 300, ct));
            await db.SaveChangesAsync(ct);
        }

        var sweep = Host.Services.GetRequiredService<RetentionService>();

        var old = await Host.RunToEndAsync(agent.AgentId);
        clock.Advance(TimeSpan.FromDays(20));
        var recent = await Host.RunToEndAsync(agent.AgentId);
        clock.Advance(TimeSpan.FromDays(10) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await sweep.SweepAsync(ct));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await sweep.SweepAsync(ct));
        Assert.Null(await Host.Queries.GetAsync(old.Session.Id, ct));
        Assert.NotNull(await Host.Queries.GetAsync(recent.Session.Id, ct));
    }
}
