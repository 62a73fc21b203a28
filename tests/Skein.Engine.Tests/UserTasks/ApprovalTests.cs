using Microsoft.Extensions.DependencyInjection;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Tools;
using Skein.Core.UserTasks;
using Skein.Engine.Sessions;
using Skein.Engine.Tools;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.UserTasks;

public class ApprovalTests : EngineTestBase
{
    private const string Unreachable = "http://127.0.0.1:9";

    private Task<CreatedAgent> RefundAgentAsync(ExecutionMode mode = ExecutionMode.HITL) =>
        Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = mode,
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 25 })), Says("finished")],
            }
        );

    private async Task<(Guid SessionId, Guid RunId, Guid TaskId)> WaitingForApprovalAsync(Guid agentId)
    {
        var started = await Host.StartRunAsync(agentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        var task = Assert.Single(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(started.SessionId, CancellationToken.None)
        );
        return (started.SessionId, started.RunId, task.Id);
    }

    [Fact]
    public async Task An_approval_gated_call_waits_for_a_person_with_the_call_in_the_task()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var detail = (await Host.Queries.GetAsync(sessionId, CancellationToken.None))!;
        Assert.Equal("WaitingForHITL", detail.Runs.Single().Status);
        Assert.Equal(["llm_request_prepared", "reasoning", "UserTaskReq"], detail.Steps.Select(s => s.Type));
        Assert.DoesNotContain(detail.Steps, s => s.Type == "ToolCall");
        var task = (
            await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None)
        )!;
        Assert.Equal(UserTaskKinds.Approval, task.Kind);
        Assert.Equal("Pending", task.Status);
        Assert.Contains(DemoRefundTool.ToolName, task.Context);
        Assert.Contains("\"amount\":25", task.Context);
    }

    [Fact]
    public async Task Approving_runs_the_call_and_the_run_continues()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var answered = await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { Approved = true },
            "operator:ann",
            CancellationToken.None
        );

        Assert.True(answered.Ok, answered.Error?.Message);
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "UserTaskReq",
                "ToolCall",
                "ToolResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            detail.Steps.Select(s => s.Type)
        );
        var result = Content(detail.Steps[4]).GetProperty("result");
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal("issued", result.GetProperty("data").GetProperty("status").GetString());
        var task = (
            await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None)
        )!;
        Assert.Equal("Completed", task.Status);
        Assert.Equal("operator:ann", task.AnsweredBy);
        Assert.NotNull(task.AnsweredAt);
    }

    [Fact]
    public async Task Rejecting_never_runs_the_call_and_the_model_sees_the_rejection()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { Approved = false, Comment = "not eligible" },
            "operator:ann",
            CancellationToken.None
        );

        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Equal(ToolPolicy.Rejected("operator:ann", "not eligible"), result.GetProperty("error").GetString());
        Assert.False(
            result.TryGetProperty("data", out var data) && data.ValueKind != System.Text.Json.JsonValueKind.Null
        );
    }

    [Fact]
    public async Task Two_simultaneous_answers_one_wins_the_other_is_a_conflict()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var answers = await Task.WhenAll(
            Task.Run(() =>
                Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { Approved = true },
                    "ann",
                    CancellationToken.None
                )
            ),
            Task.Run(() =>
                Host.Actions.AnswerTaskAsync(
                    taskId,
                    null,
                    new UserTaskAnswer { Approved = false },
                    "bob",
                    CancellationToken.None
                )
            )
        );

        Assert.Single(answers, a => a.Ok);
        Assert.Single(answers, a => a.Error?.Code == DomainErrorCodes.TaskClosed);
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");
        Assert.Single(detail.Steps, s => s.Type == "ToolResult");
    }

    [Fact]
    public async Task An_answer_without_a_decision_is_invalid_and_the_task_stays_pending()
    {
        var agent = await RefundAgentAsync();
        var (_, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var answered = await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { TextValue = "yes?" },
            "ann",
            CancellationToken.None
        );

        Assert.Equal(DomainErrorCodes.InvalidInput, answered.Error?.Code);
        Assert.Equal(
            "Pending",
            (await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None))!.Status
        );
    }

    [Fact]
    public async Task Terminate_cancels_the_pending_task()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        await Host.Actions.TerminateAsync(sessionId, "operator", CancellationToken.None);

        var task = (
            await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None)
        )!;
        Assert.Equal("Cancelled", task.Status);
        var late = await Host.Actions.AnswerTaskAsync(
            taskId,
            null,
            new UserTaskAnswer { Approved = true },
            "ann",
            CancellationToken.None
        );
        Assert.Equal(DomainErrorCodes.TaskClosed, late.Error?.Code);
    }

    [Fact]
    public async Task Mark_complete_while_waiting_for_approval_cancels_the_task_and_completes()
    {
        var agent = await RefundAgentAsync();
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var result = await Host.Actions.MarkCompleteAsync(sessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok);
        Assert.Equal(
            "Cancelled",
            (await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None))!.Status
        );
        Assert.Equal("Completed", (await Host.Queries.GetAsync(sessionId, CancellationToken.None))!.Session.Status);
    }

    [Fact]
    public async Task An_unanswered_approval_resolves_by_its_default_after_a_restart()
    {
        var clock = TestClock.Create();
        await UseHostAsync(clock);
        await Host.AddOperationAsync(
            new OperationSpec("wire_money", Unreachable) { RequireApproval = true, ApprovalTimeoutSec = 600 }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = ["wire_money"],
                Script = [Calls(("wire_money", new { amount = 5 })), Says("ok")],
            }
        );
        var (sessionId, _, taskId) = await WaitingForApprovalAsync(agent.AgentId);

        var later = TestClock.Create();
        later.SetUtcNow(clock.GetUtcNow().AddSeconds(601));
        await RestartAsync(later);
        var detail = await Host.WaitForStatusAsync(sessionId, "Completed");

        var task = (
            await Host.Services.GetRequiredService<UserTaskQueries>().GetAsync(taskId, CancellationToken.None)
        )!;
        Assert.Equal("Completed", task.Status);
        Assert.Equal(UserTaskDecider.TimerActor, task.AnsweredBy);
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.StartsWith("the call was rejected by timer", result.GetProperty("error").GetString());
    }
}
