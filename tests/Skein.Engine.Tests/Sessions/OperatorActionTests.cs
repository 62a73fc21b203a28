using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Engine.Tests.Sessions;

public class OperatorActionTests : EngineTestBase
{
    [Fact]
    public async Task Terminate_cancels_an_in_flight_model_call_and_fails_the_run()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Text = "too late", DelayMs = 60_000 }] }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Eventually.Get(
            async () => (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!,
            d => d.Steps.Count == 1,
            what: "the model call to start"
        );

        var result = await Host.Actions.TerminateAsync(started.SessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok);
        var detail = (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!;
        Assert.Equal("Terminated", detail.Session.Status);
        Assert.Equal("Failed", detail.Runs.Single().Status);
        Assert.Equal("terminated by operator", detail.Runs.Single().Error);
        await Eventually.Get(
            () =>
                Task.FromResult(
                    Host.Services.GetService(typeof(Engine.Runs.RunDispatcher)) is Engine.Runs.RunDispatcher d
                        && !d.IsActive(started.RunId)
                ),
            x => x,
            what: "the driver to stop"
        );
        Assert.Single((await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!.Steps);
    }

    [Fact]
    public async Task Terminating_a_finished_session_is_a_conflict_and_changes_nothing()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("done")] });
        var detail = await Host.RunToEndAsync(agent.AgentId);

        var result = await Host.Actions.TerminateAsync(detail.Session.Id, "operator", CancellationToken.None);

        Assert.Equal("illegal_transition", result.Error?.Code);
        Assert.Equal(
            "Completed",
            (await Host.Queries.GetAsync(detail.Session.Id, CancellationToken.None))!.Session.Status
        );
    }

    [Fact]
    public async Task Mark_complete_on_a_waiting_session_completes_it_with_an_audit_note()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Conversation = ConversationMode.MultiTurn, Script = [Says("hi")] }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForResponse");

        var result = await Host.Actions.MarkCompleteAsync(started.SessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok);
        var detail = (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!;
        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal("operator:ann", detail.Runs.Single().CompletedBy);
        Assert.Equal("marked complete by operator", detail.Runs.Single().CompletionNote);
    }

    [Fact]
    public async Task Mark_complete_while_running_is_refused()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Text = "slow", DelayMs = 60_000 }] }
        );
        var started = await Host.StartRunAsync(agent.AgentId);

        var result = await Host.Actions.MarkCompleteAsync(started.SessionId, "operator", CancellationToken.None);

        Assert.Equal("illegal_transition", result.Error?.Code);
        await Host.Actions.TerminateAsync(started.SessionId, "cleanup", CancellationToken.None);
    }
}
