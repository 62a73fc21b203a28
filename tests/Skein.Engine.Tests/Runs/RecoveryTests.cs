using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.Tools;
using Skein.Engine.Sessions;
using Skein.Engine.Tools;
using Skein.Store.Agents;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

/// <summary>
/// In-process recovery: a session's committed events are left exactly as a process killed mid-step
/// would leave them, then the engine restarts on the same file. (The kill -9 test is in Server.Tests.)
/// </summary>
public class RecoveryTests : EngineTestBase
{
    private const string Unreachable = "http://127.0.0.1:9";

    /// <summary>Commits a session whose last step is a ToolCall with no result: the process died mid-call.</summary>
    private async Task<(Guid SessionId, Guid RunId)> LeaveInterruptedToolCallAsync(Guid agentId, string tool)
    {
        var resolved = await Host
            .Services.GetRequiredService<AgentCatalog>()
            .ResolveAsync(agentId, null, CancellationToken.None);
        var commands = Host.Services.GetRequiredService<SessionCommands>();
        var now = DateTimeOffset.UtcNow;
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(),
                Ids.New(),
                resolved.Agent.TenantId,
                TriggerType.Console,
                "test",
                null,
                null,
                new StartContext(resolved.Snapshot, null),
                now
            )
        );
        var runId = start.Current.RootRunId;
        var args = Json(new { amount = 5 });

        // One commit, as the engine would have left it: the timer's orphan sweep must never see a half-built run.
        SessionDecider.AppendStep(
            start,
            runId,
            new StepDraft(new LlmRequestPrepared("skein-scripted") { Iteration = 1 }),
            now,
            "engine"
        );
        SessionDecider.AppendStep(
            start,
            runId,
            new StepDraft(
                new ReasoningStep("calling", "calling", 2, [new RequestedToolCall("call_0_0", tool, args)])
                {
                    Iteration = 1,
                },
                2
            ),
            now,
            "engine"
        );
        SessionDecider.AppendStep(
            start,
            runId,
            new StepDraft(new ToolCallStep(tool, args, "call_0_0", tool, $"{runId:N}:3") { Iteration = 1 }),
            now,
            "engine"
        );
        Assert.False(start.Rejected);
        var state = await commands.StartAsync(start, CancellationToken.None);
        return (state.Id, runId);
    }

    [Fact]
    public async Task An_interrupted_non_idempotent_call_is_not_retried_and_the_model_sees_an_error()
    {
        await Host.AddOperationAsync(new OperationSpec("pay", Unreachable) { Idempotent = false });
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["pay"], Script = [Calls(("pay", new { amount = 5 })), Says("recovered")] }
        );
        var (sessionId, _) = await LeaveInterruptedToolCallAsync(agent.AgentId, "pay");

        await RestartAsync();
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");

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
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Equal(ToolPolicy.InterruptedNotRetried, result.GetProperty("error").GetString());
        Assert.Equal("\"recovered\"", detail.Session.Output);
    }

    [Fact]
    public async Task An_interrupted_non_idempotent_call_is_reported_as_may_have_run_not_as_failed()
    {
        await Host.AddOperationAsync(new OperationSpec("pay", Unreachable) { Idempotent = false });
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = ["pay"], Script = [Calls(("pay", new { amount = 5 })), Says("recovered")] }
        );
        var (sessionId, _) = await LeaveInterruptedToolCallAsync(agent.AgentId, "pay");

        await RestartAsync();
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");

        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.Equal(ToolResultBody.MayHaveRun, result.GetProperty("outcome").GetString());
        Assert.StartsWith("the tool call may have run", result.GetProperty("error").GetString());
        Assert.DoesNotContain("failed", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_interrupted_idempotent_call_is_retried()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script = [Calls((EchoTool.ToolName, new { amount = 5 })), Says("recovered")],
            }
        );
        var (sessionId, _) = await LeaveInterruptedToolCallAsync(agent.AgentId, EchoTool.ToolName);

        await RestartAsync();
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");

        Assert.Equal(Enumerable.Range(1, 7), detail.Steps.Select(s => s.Sequence));
        var result = Content(detail.Steps[3]).GetProperty("result");
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal(5, result.GetProperty("data").GetProperty("amount").GetInt32());
    }

    [Fact]
    public async Task A_run_interrupted_before_its_model_answered_asks_the_model_again_once()
    {
        var agent = await Host.CreateAgentAsync(new AgentSpec { Script = [Says("answer")] });
        var resolved = await Host
            .Services.GetRequiredService<AgentCatalog>()
            .ResolveAsync(agent.AgentId, null, CancellationToken.None);
        var commands = Host.Services.GetRequiredService<SessionCommands>();
        var now = DateTimeOffset.UtcNow;
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(),
                Ids.New(),
                resolved.Agent.TenantId,
                TriggerType.Console,
                "test",
                null,
                null,
                new StartContext(resolved.Snapshot, null),
                now
            )
        );
        SessionDecider.AppendStep(
            start,
            start.Current.RootRunId,
            new StepDraft(new LlmRequestPrepared("skein-scripted") { Iteration = 1 }),
            now,
            "engine"
        );
        var state = await commands.StartAsync(start, CancellationToken.None);

        await RestartAsync();
        var detail = await Host.WaitForStatusAsync(state.Id, "Completed");

        Assert.Equal(["llm_request_prepared", "reasoning", "output"], detail.Steps.Select(s => s.Type));
    }
}
