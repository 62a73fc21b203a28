using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Engine.Sessions;
using Skein.Engine.Telemetry;
using Skein.Store.EventLog;
using Skein.Testing;

namespace Skein.Engine.Tests.Sessions;

public class ConversationTests : EngineTestBase
{
    private Task<CreatedAgent> MultiTurnAgentAsync(int idleSeconds = 1800) =>
        Host.CreateAgentAsync(
            new AgentSpec
            {
                Conversation = ConversationMode.MultiTurn,
                ConversationIdleTimeoutSec = idleSeconds,
                Script = [Says("first answer"), Says("second answer")],
            }
        );

    [Fact]
    public async Task A_conversational_run_waits_for_the_user_after_its_output()
    {
        var agent = await MultiTurnAgentAsync();
        var started = await Host.StartRunAsync(agent.AgentId);

        var detail = await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");

        Assert.Equal("WaitingForResponse", detail.Runs.Single().Status);
        Assert.Equal("\"first answer\"", detail.Session.Output);
        Assert.Null(detail.Session.FinishedAt);
    }

    [Fact]
    public async Task A_follow_up_message_continues_the_same_session_and_run()
    {
        var agent = await MultiTurnAgentAsync();
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");

        var sent = await Host.Actions.SendMessageAsync(started.RunId, "tell me more", "user", CancellationToken.None);
        Assert.True(sent.Ok);
        var detail = await Eventually.Get(
            async () => (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!,
            d => d.Session.Status == "WaitingForResponse" && d.Steps.Count(s => s.Type == "output") == 2,
            what: "the second answer"
        );

        var run = Assert.Single(detail.Runs);
        Assert.Equal(started.RunId, run.Id);
        Assert.Equal("\"second answer\"", detail.Session.Output);
        var types = detail.Steps.Select(s => s.Type).ToList();
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "output",
                "user_message",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            types
        );
        Assert.Equal("tell me more", Content(detail.Steps[3]).GetProperty("text").GetString());
        Assert.Equal(Enumerable.Range(1, 7), detail.Steps.Select(s => s.Sequence));
    }

    [Fact]
    public async Task A_waiting_session_changed_by_another_node_is_read_at_its_latest_from_the_cache()
    {
        var agent = await MultiTurnAgentAsync();
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");
        var commands = Host.Services.GetRequiredService<SessionCommands>();
        var reader = Host.Services.GetRequiredService<EventLogReader>();
        var cached = await commands.GetAsync(started.SessionId, CancellationToken.None);
        Assert.Equal(SessionStatus.WaitingForResponse, cached?.Status);

        // Another node (its own commands, the same store) takes the next message; this node never sees the append.
        using var otherNode = new SessionCommands(
            reader,
            Host.Services.GetRequiredService<EventLogWriter>(),
            Host.Services.GetRequiredService<SkeinMetrics>()
        );
        var sent = await otherNode.ExecuteAsync(
            started.SessionId,
            c => SessionDeciderInputs.ReceiveMessage(c, started.RunId, "from elsewhere", DateTimeOffset.UtcNow, "user"),
            CancellationToken.None
        );
        Assert.True(sent.Ok);

        var here = await commands.GetAsync(started.SessionId, CancellationToken.None);
        var replayed = await reader.LoadAsync(started.SessionId, CancellationToken.None);
        Assert.NotNull(here);
        Assert.NotNull(replayed);
        Assert.Equal(sent.State!.Version, here.Version);
        Assert.Equal(replayed.Version, here.Version);
        Assert.Equal(SessionStatus.Running, here.Status);
        Assert.Equal(
            replayed.Runs.Select(r => (r.Key, r.Value.Status, r.Value.Iteration)),
            here.Runs.Select(r => (r.Key, r.Value.Status, r.Value.Iteration))
        );
    }

    [Fact]
    public async Task A_message_to_a_run_that_is_not_waiting_for_one_is_refused()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        var detail = await Host.RunToEndAsync(agent.AgentId);

        var sent = await Host.Actions.SendMessageAsync(
            detail.Runs.Single().Id,
            "hello?",
            "user",
            CancellationToken.None
        );

        Assert.Equal("illegal_transition", sent.Error?.Code);
    }

    [Fact]
    public async Task An_idle_conversation_completes_after_its_timeout()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await MultiTurnAgentAsync(idleSeconds: 600);
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");
        await Host.WaitForDriverToLeaveAsync(started.RunId);

        clock.Advance(TimeSpan.FromSeconds(601));
        await Host.Timers.WakeDueAsync(CancellationToken.None);

        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        Assert.Equal("\"first answer\"", detail.Session.Output);
    }
}
