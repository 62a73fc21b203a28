using Skein.Core.Events;
using Skein.Core.Steps;

namespace Skein.Core.Tests.Events;

/// <summary>Which committed step ends a model call's stream of deltas (SPEC section 12).</summary>
public sealed class StepDeltaTests
{
    private static readonly Guid RunId = Guid.NewGuid();

    private static StepAppended Appended(StepPayload payload) =>
        new()
        {
            At = DateTimeOffset.UnixEpoch,
            Actor = "engine",
            Step = new StepRecord(Guid.NewGuid(), RunId, 3, payload, 0, null, default, default),
        };

    [Fact]
    public void A_reasoning_step_or_the_record_of_an_interrupted_call_ends_that_calls_deltas()
    {
        var answer = new ReasoningStep("t", "t", 1, []) { Iteration = 2 };
        var discarded = new ModelCallDiscardedStep(ModelCallDiscardedStep.Cancelled, answer) { Iteration = 2 };

        Assert.True(StepDelta.Ends(Appended(answer), out var run, out var iteration));
        Assert.Equal((RunId, 2), (run, iteration));
        Assert.True(StepDelta.Ends(Appended(discarded), out run, out iteration));
        Assert.Equal((RunId, 2), (run, iteration));
        Assert.False(StepDelta.Ends(Appended(new UserMessageStep("stop") { Iteration = 2 }), out _, out _));
    }
}
