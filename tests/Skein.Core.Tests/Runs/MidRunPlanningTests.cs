using System.Text.Json;
using Skein.Core.Runs;
using Skein.Core.Steps;

namespace Skein.Core.Tests.Runs;

/// <summary>How the planner reads messages sent while a run works and provider back-offs (SPEC section 12).</summary>
public sealed class MidRunPlanningTests
{
    private static readonly JsonElement NoArgs = JsonSerializer.SerializeToElement(new { });
    private static readonly LlmRequestPrepared Prepared = new("m") { Iteration = 1 };

    private static RunState Run(params StepPayload[] payloads) =>
        new()
        {
            Id = Guid.NewGuid(),
            SessionId = Guid.NewGuid(),
            AgentId = Guid.NewGuid(),
            AgentVersionId = Guid.NewGuid(),
            Status = RunStatus.Running,
            StartedAt = DateTimeOffset.UnixEpoch,
            AgentName = "a",
            VersionLabel = "v1",
            LlmModel = "m",
            Iteration = payloads.OfType<LlmRequestPrepared>().LastOrDefault()?.Iteration ?? 0,
            Steps =
            [
                .. payloads.Select(
                    (p, i) =>
                        new StepRecord(
                            Guid.NewGuid(),
                            Guid.Empty,
                            i + 1,
                            p,
                            0,
                            null,
                            DateTimeOffset.UnixEpoch,
                            DateTimeOffset.UnixEpoch
                        )
                ),
            ],
        };

    private static UserMessageStep Queued(string text) => new(text) { Iteration = 1, Queued = true };

    private static ReasoningStep Reasoning(params string[] callIds) =>
        new("t", "t", 1, [.. callIds.Select(id => new RequestedToolCall(id, "tool", NoArgs))]) { Iteration = 1 };

    [Fact]
    public void A_queued_message_during_a_model_call_leaves_the_call_to_finish()
    {
        var run = Run(Prepared, Queued("hi"));

        Assert.Equal(new NextAction.CallModel(1), RunPlanner.Next(run));
        Assert.True(RunPlanner.HasUnreadMessages(run));
    }

    [Fact]
    public void A_queued_message_during_a_tool_call_leaves_the_call_to_finish()
    {
        var call = new ToolCallStep("tool", NoArgs, "a", "tool", "k") { Iteration = 1 };

        var next = RunPlanner.Next(Run(Prepared, Reasoning("a"), call, Queued("hi")));

        Assert.Equal("a", Assert.IsType<NextAction.ResolveInterruptedToolCall>(next).Call.ToolCallId);
    }

    [Fact]
    public void A_message_before_the_latest_request_was_read_by_it()
    {
        var run = Run(Prepared, Queued("hi"), Reasoning(), new LlmRequestPrepared("m") { Iteration = 2 });

        Assert.False(RunPlanner.HasUnreadMessages(run));
        Assert.Equal(new NextAction.CallModel(2), RunPlanner.Next(run));
    }

    [Fact]
    public void An_interrupting_message_starts_the_next_turn()
    {
        var next = RunPlanner.Next(Run(Prepared, new UserMessageStep("stop") { Iteration = 1 }));

        Assert.Equal(new NextAction.PrepareModelRequest(2), next);
    }

    [Fact]
    public void The_record_of_a_model_call_a_message_interrupted_plans_nothing_and_its_calls_never_run()
    {
        var late = new ModelCallDiscardedStep(ModelCallDiscardedStep.Superseded, Reasoning("a")) { Iteration = 1 };
        var run = Run(Prepared, new UserMessageStep("stop") { Iteration = 1 }, late);

        Assert.Equal(new NextAction.PrepareModelRequest(2), RunPlanner.Next(run));
        Assert.Null(RunPlanner.PendingToolCall(run));
    }

    [Fact]
    public void After_a_provider_back_off_the_same_request_is_asked_again()
    {
        var backoff = new ProviderBackoffStep(
            "HTTP 429",
            DateTimeOffset.UnixEpoch.AddSeconds(10),
            DateTimeOffset.UnixEpoch,
            1
        )
        {
            Iteration = 1,
        };

        Assert.Equal(new NextAction.CallModel(1), RunPlanner.Next(Run(Prepared, backoff)));
    }
}
