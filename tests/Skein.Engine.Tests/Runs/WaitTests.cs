using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class WaitTests : EngineTestBase
{
    [Fact]
    public async Task A_phrony_wait_survives_a_restart_and_resumes_when_due()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 60 })), Says("awake")],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        var waiting = await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");
        Assert.Equal(clock.GetUtcNow().AddSeconds(60).UtcDateTime, waiting.Runs.Single().WakeAt);

        // Restart the process well after the wake-up time: the persisted timer fires on start.
        var later = TestClock.Create();
        later.SetUtcNow(clock.GetUtcNow().AddSeconds(90));
        await RestartAsync(later);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");

        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "ToolCall",
                "ToolResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            detail.Steps.Select(s => s.Type)
        );
        Assert.Equal(Enumerable.Range(1, 7), detail.Steps.Select(s => s.Sequence));
        var result = Content(detail.Steps[3]).GetProperty("result");
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal(90, result.GetProperty("data").GetProperty("waited_seconds").GetDouble());
    }

    [Fact]
    public async Task A_wait_that_is_not_due_does_not_resume()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 60 })), Says("awake")],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");
        await Host.WaitForDriverToLeaveAsync(started.RunId);

        clock.Advance(TimeSpan.FromSeconds(59));
        await Host.Timers.WakeDueAsync(CancellationToken.None);
        Assert.Equal(
            "WaitingForTimer",
            (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!.Session.Status
        );

        clock.Advance(TimeSpan.FromSeconds(1));
        await Host.Timers.WakeDueAsync(CancellationToken.None);
        await Host.WaitForStatusAsync(started.SessionId, "Completed");
    }

    [Fact]
    public async Task Skipping_a_wait_resumes_the_run_at_once()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script = [Calls((PhronyWaitTool.ToolName, new { seconds = 120 })), Says("skipped")],
            }
        );
        var started = await Host.StartRunAsync(agent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");

        var result = await Host.Actions.SkipWaitAsync(started.RunId, "test", CancellationToken.None);
        Assert.True(result.Ok);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        Assert.True(
            Content(detail.Steps.Single(s => s.Type == "ToolResult"))
                .GetProperty("result")
                .GetProperty("data")
                .GetProperty("skipped")
                .GetBoolean()
        );

        var again = await Host.Actions.SkipWaitAsync(started.RunId, "test", CancellationToken.None);
        Assert.Equal("illegal_transition", again.Error?.Code);
    }
}
