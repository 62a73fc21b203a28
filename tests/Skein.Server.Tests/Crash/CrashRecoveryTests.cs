using System.Text.Json;
using Skein.Core.Steps;
using Skein.Core.Tools;
using Skein.Server.Api.Contracts;

namespace Skein.Server.Tests.Crash;

/// <summary>
/// The server is SIGKILLed mid-run (no shutdown hooks run) and started again on the same database: the run
/// resumes from its last committed step, and its tool call reaches the integration exactly once unless the
/// operation is idempotent.
/// </summary>
[RunsLong(40, Slots = 2)]
public sealed class CrashRecoveryTests
{
    private const int SlowTurnMs = 4000;

    private static readonly string[] ExpectedTimeline =
    [
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.ToolCall,
        StepType.ToolResult,
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.Output,
    ];

    [Fact]
    public async Task A_run_killed_during_a_non_idempotent_tool_call_completes_with_an_interrupted_result_and_no_retry()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var scenario = await CrashScenario.StartAsync(cancellationToken);
        var agent = await scenario.CreatePayingAgentAsync(idempotent: false, finalTurnDelayMs: 0, cancellationToken);
        scenario.Receiver.Hold();
        var run = await scenario.StartRunAsync(agent.AgentId, cancellationToken);

        await scenario.Receiver.WaitForCallsAsync(1, CrashScenario.Deadline, cancellationToken);
        scenario.Server.Kill();
        scenario.Receiver.Release();
        var stored = await scenario.StoredAsync(run.SessionId, cancellationToken);
        Assert.Equal("Running", stored.Session.Status);
        Assert.Equal(StepType.ToolCall, stored.Steps[^1].Type);

        await scenario.StartServerAsync(cancellationToken);
        var detail = await scenario.WaitForEndAsync(run.SessionId, cancellationToken);

        AssertCompletedWithGapFreeTimeline(detail, run.RunId);
        var call = Assert.Single(scenario.Receiver.Calls);
        Assert.Equal(IdempotencyKey(detail), call.IdempotencyKey);
        var result = ToolResult(detail);
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Equal(ToolPolicy.InterruptedNotRetried, result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_run_killed_during_the_model_turn_after_a_tool_result_completes_without_repeating_the_tool_call()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var scenario = await CrashScenario.StartAsync(cancellationToken);
        var agent = await scenario.CreatePayingAgentAsync(
            idempotent: false,
            finalTurnDelayMs: SlowTurnMs,
            cancellationToken
        );
        var run = await scenario.StartRunAsync(agent.AgentId, cancellationToken);

        await scenario.WaitForSessionAsync(
            run.SessionId,
            d => d.Steps.Any(s => s.Type == StepType.ToolResult),
            "the tool result to be committed",
            cancellationToken
        );
        scenario.Server.Kill();
        var stored = await scenario.StoredAsync(run.SessionId, cancellationToken);
        Assert.Equal("Running", stored.Session.Status);
        Assert.Single(stored.Steps, s => s.Type == StepType.Reasoning);

        await scenario.StartServerAsync(cancellationToken);
        var detail = await scenario.WaitForEndAsync(run.SessionId, cancellationToken);

        AssertCompletedWithGapFreeTimeline(detail, run.RunId);
        Assert.Single(detail.Steps, s => s.Type == StepType.ToolCall);
        Assert.Single(detail.Steps, s => s.Type == StepType.ToolResult);
        var call = Assert.Single(scenario.Receiver.Calls);
        Assert.Equal(IdempotencyKey(detail), call.IdempotencyKey);
        var result = ToolResult(detail);
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal("r-1", result.GetProperty("data").GetProperty("receipt").GetString());
    }

    [Fact]
    public async Task A_run_killed_during_an_idempotent_tool_call_retries_it_with_the_same_idempotency_key()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var scenario = await CrashScenario.StartAsync(cancellationToken);
        var agent = await scenario.CreatePayingAgentAsync(idempotent: true, finalTurnDelayMs: 0, cancellationToken);
        scenario.Receiver.Hold();
        var run = await scenario.StartRunAsync(agent.AgentId, cancellationToken);

        await scenario.Receiver.WaitForCallsAsync(1, CrashScenario.Deadline, cancellationToken);
        scenario.Server.Kill();
        scenario.Receiver.Release();
        var stored = await scenario.StoredAsync(run.SessionId, cancellationToken);
        Assert.Equal("Running", stored.Session.Status);
        Assert.Equal(StepType.ToolCall, stored.Steps[^1].Type);

        await scenario.StartServerAsync(cancellationToken);
        var detail = await scenario.WaitForEndAsync(run.SessionId, cancellationToken);

        AssertCompletedWithGapFreeTimeline(detail, run.RunId);
        var calls = scenario.Receiver.Calls;
        Assert.Equal(2, calls.Count);
        Assert.Equal([IdempotencyKey(detail)], calls.Select(c => c.IdempotencyKey).Distinct());
        var result = ToolResult(detail);
        Assert.True(result.GetProperty("successful").GetBoolean());
        Assert.Equal("r-2", result.GetProperty("data").GetProperty("receipt").GetString());
    }

    /// <summary>Steps 1..n of the one run, each once, in commit order: nothing lost or repeated across the
    /// crash.</summary>
    private static void AssertCompletedWithGapFreeTimeline(SessionDetailDto detail, Guid runId)
    {
        Assert.Equal("Completed", detail.Session.Status);
        Assert.Equal(
            JsonSerializer.SerializeToElement(CrashScenario.FinalText).GetRawText(),
            detail.Session.Output?.GetRawText()
        );
        Assert.Equal(runId, Assert.Single(detail.Runs).Id);
        var steps = detail.Steps;
        Assert.All(steps, s => Assert.Equal(runId, s.RunId));
        Assert.Equal(Enumerable.Range(1, steps.Count), steps.Select(s => s.Sequence));
        Assert.Equal(steps.Select(s => s.EventSequence).Distinct().Order(), steps.Select(s => s.EventSequence));
        Assert.Equal(ExpectedTimeline, steps.Select(s => s.Type));
    }

    /// <summary>The key the engine committed with the ToolCall: <c>runId:N</c> and the step's sequence.</summary>
    private static string IdempotencyKey(SessionDetailDto detail)
    {
        var call = Assert.Single(detail.Steps, s => s.Type == StepType.ToolCall);
        var expected = $"{call.RunId:N}:{call.Sequence}";
        Assert.Equal(expected, call.Content.GetProperty("idempotency_key").GetString());
        return expected;
    }

    private static JsonElement ToolResult(SessionDetailDto detail) =>
        Assert.Single(detail.Steps, s => s.Type == StepType.ToolResult).Content.GetProperty("result");
}
