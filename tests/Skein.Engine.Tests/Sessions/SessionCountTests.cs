using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.Sessions;

/// <summary>
/// The session lists' totals come from maintained counts (session_counts), not from counting sessions: after starts,
/// waits, completions, failures, terminations and operator actions, committed in shared batches, every count must
/// equal the sessions it stands for.
/// </summary>
public class SessionCountTests : EngineTestBase
{
    [Fact]
    public async Task Counts_follow_every_status_change_and_equal_a_count_of_the_sessions()
    {
        var ct = TestContext.Current.CancellationToken;
        var quick = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        var chat = await Host.CreateAgentAsync(
            new AgentSpec { Conversation = ConversationMode.MultiTurn, Script = [Says("hi")] }
        );
        var failing = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Limits = new RunLimits { MaxTokensPerRun = 5 },
                Script = [Says("expensive", tokens: 80)],
            }
        );
        var slow = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Text = "slow", DelayMs = 60_000 }] }
        );

        // Started together, so the writer commits several sessions' changes in one batch.
        var finished = await Task.WhenAll([
            .. Enumerable.Range(0, 6).Select(_ => Host.RunToEndAsync(quick.AgentId)),
            .. Enumerable.Range(0, 3).Select(_ => Host.RunToEndAsync(failing.AgentId)),
        ]);
        Assert.Equal(6, finished.Count(d => d.Session.Status == "Completed"));
        Assert.Equal(3, finished.Count(d => d.Session.Status == "Failed"));

        var waiting = await Task.WhenAll(
            Enumerable
                .Range(0, 4)
                .Select(async _ =>
                {
                    var started = await Host.StartRunAsync(chat.AgentId);
                    await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");
                    return started.SessionId;
                })
        );
        Assert.True((await Host.Actions.MarkCompleteAsync(waiting[0], "operator:ann", ct)).Ok);
        Assert.True((await Host.Actions.TerminateAsync(waiting[1], "operator:ann", ct)).Ok);
        var running = await Host.StartRunAsync(slow.AgentId);
        await Host.WaitForStatusAsync(running.SessionId, "Running");

        await using var db = await Host.Contexts.CreateDbContextAsync(ct);
        var actual = await db
            .Sessions.GroupBy(s => new
            {
                s.TenantId,
                s.AgentId,
                s.AgentVersionId,
                s.Status,
            })
            .Select(g => new
            {
                g.Key.TenantId,
                g.Key.AgentId,
                g.Key.AgentVersionId,
                g.Key.Status,
                Sessions = (long)g.Count(),
            })
            .ToListAsync(ct);
        var counted = await db
            .SessionCounts.Where(c => c.Sessions != 0)
            .Select(c => new
            {
                c.TenantId,
                c.AgentId,
                c.AgentVersionId,
                c.Status,
                c.Sessions,
            })
            .ToListAsync(ct);
        Assert.Equal(
            actual
                .OrderBy(a => a.AgentId)
                .ThenBy(a => a.Status)
                .Select(a => $"{a.AgentId} {a.AgentVersionId} {a.Status} {a.Sessions}"),
            counted
                .OrderBy(a => a.AgentId)
                .ThenBy(a => a.Status)
                .Select(a => $"{a.AgentId} {a.AgentVersionId} {a.Status} {a.Sessions}")
        );
        Assert.DoesNotContain(await db.SessionCounts.ToListAsync(ct), c => c.Sessions < 0);

        var tenant = quick.TenantId;
        Assert.Equal(14, await Host.Queries.CountAsync(new SessionFilter(tenant), ct));
        Assert.Equal(4, await Host.Queries.CountAsync(new SessionFilter(tenant) { AgentId = chat.AgentId }, ct));
        Assert.Equal(
            2,
            await Host.Queries.CountAsync(
                new SessionFilter(tenant) { AgentId = chat.AgentId, Status = "WaitingForResponse" },
                ct
            )
        );
        Assert.Equal(
            1,
            await Host.Queries.CountAsync(
                new SessionFilter(tenant)
                {
                    AgentId = chat.AgentId,
                    AgentVersionId = chat.VersionId,
                    Status = "Terminated",
                },
                ct
            )
        );
        Assert.Equal(7, await Host.Queries.CountAsync(new SessionFilter(tenant) { Status = "Completed" }, ct));
        Assert.Equal(
            0,
            await Host.Queries.CountAsync(new SessionFilter(tenant) { AgentId = quick.AgentId, Status = "Failed" }, ct)
        );
        Assert.Equal(0, await Host.Queries.CountAsync(new SessionFilter(Guid.NewGuid()), ct));

        await Host.Actions.TerminateAsync(running.SessionId, "cleanup", ct);
        Assert.Equal(0, await Host.Queries.CountAsync(new SessionFilter(tenant) { Status = "Running" }, ct));
    }
}
