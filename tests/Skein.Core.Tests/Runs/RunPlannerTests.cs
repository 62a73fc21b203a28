using System.Text.Json;
using Skein.Core.Runs;
using Skein.Core.Steps;

namespace Skein.Core.Tests.Runs;

public sealed class RunPlannerTests
{
    private static readonly JsonElement NoArgs = JsonSerializer.SerializeToElement(new { });

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

    private static ReasoningStep Reasoning(params string[] callIds) =>
        new("t", "t", 1, [.. callIds.Select(id => new RequestedToolCall(id, "tool", NoArgs))]) { Iteration = 1 };

    private static ToolCallStep Call(string id) => new("tool", NoArgs, id, "tool", "k") { Iteration = 1 };

    private static ToolResultStep Result(string id) => new(id, ToolResultBody.Ok(NoArgs)) { Iteration = 1 };

    [Fact]
    public void A_new_run_prepares_its_first_model_request() =>
        Assert.Equal(new NextAction.PrepareModelRequest(1), RunPlanner.Next(Run()));

    [Fact]
    public void A_prepared_request_is_sent_to_the_model() =>
        Assert.Equal(new NextAction.CallModel(1), RunPlanner.Next(Run(new LlmRequestPrepared("m") { Iteration = 1 })));

    [Fact]
    public void Tool_calls_of_a_turn_start_in_order_then_the_next_turn_begins()
    {
        var prepared = new LlmRequestPrepared("m") { Iteration = 1 };
        var next = RunPlanner.Next(Run(prepared, Reasoning("a", "b")));
        Assert.Equal("a", Assert.IsType<NextAction.StartToolCall>(next).Call.ToolCallId);

        next = RunPlanner.Next(Run(prepared, Reasoning("a", "b"), Call("a"), Result("a")));
        Assert.Equal("b", Assert.IsType<NextAction.StartToolCall>(next).Call.ToolCallId);

        next = RunPlanner.Next(Run(prepared, Reasoning("a", "b"), Call("a"), Result("a"), Call("b"), Result("b")));
        Assert.Equal(new NextAction.PrepareModelRequest(2), next);
    }

    [Fact]
    public void A_tool_call_without_a_result_is_an_interrupted_call()
    {
        var next = RunPlanner.Next(Run(new LlmRequestPrepared("m") { Iteration = 1 }, Reasoning("a"), Call("a")));
        var interrupted = Assert.IsType<NextAction.ResolveInterruptedToolCall>(next);
        Assert.Equal("a", interrupted.Call.ToolCallId);
        Assert.Equal(3, interrupted.Sequence);
    }

    [Fact]
    public void A_run_that_is_not_running_has_nothing_to_do() =>
        Assert.IsType<NextAction.Idle>(RunPlanner.Next(Run() with { Status = RunStatus.WaitingForResponse }));

    [Fact]
    public void A_user_message_starts_the_next_turn() =>
        Assert.Equal(
            new NextAction.PrepareModelRequest(2),
            RunPlanner.Next(
                Run(
                    new LlmRequestPrepared("m") { Iteration = 1 },
                    Reasoning(),
                    new OutputStep(NoArgs, 1, 1),
                    new UserMessageStep("more")
                )
            )
        );
}
