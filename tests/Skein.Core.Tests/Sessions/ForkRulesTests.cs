using System.Text.Json;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Tests.Sessions;

/// <summary><see cref="ForkRules"/>: a fork copies the root run only, so it may end before the first sub-agent step
/// and never at or after it; the refusal names that step and what can be forked from.</summary>
public sealed class ForkRulesTests
{
    private static readonly Guid Run = Guid.NewGuid();

    private static (long, StepRecord) Step(int sequence, StepPayload payload) =>
        (
            sequence * 10L,
            new StepRecord(
                Guid.NewGuid(),
                Run,
                sequence,
                payload,
                0,
                null,
                DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch
            )
        );

    private static readonly IReadOnlyList<(long, StepRecord)> Steps =
    [
        Step(1, new LlmRequestPrepared("m")),
        Step(2, new LlmRequestPrepared("m")),
        Step(
            3,
            new SubAgentCallStep(
                Guid.NewGuid(),
                Guid.NewGuid(),
                "child",
                JsonDocument.Parse("{}").RootElement,
                Guid.NewGuid(),
                "c1"
            )
        ),
        Step(4, new SubAgentResultStep(Guid.NewGuid(), "Completed", null, null, 0, 0, "c1")),
        Step(5, new LlmRequestPrepared("m")),
    ];

    [Fact]
    public void A_fork_may_end_at_a_step_before_the_first_sub_agent_step()
    {
        var prefix = ForkRules.Prefix(Steps, 20);

        Assert.True(prefix.IsSuccess);
        Assert.Equal(2, prefix.Value.Count);
        Assert.True(ForkRules.CanEndAt(StepType.LlmRequestPrepared));
        Assert.True(ForkRules.IsSubAgentWork(StepType.SubAgentResult));
    }

    [Fact]
    public void A_fork_after_sub_agent_work_is_refused_naming_the_first_sub_agent_step()
    {
        var refused = ForkRules.Prefix(Steps, 50);

        Assert.False(refused.IsSuccess);
        Assert.Contains("step 3 (SubAgentCall, eventSequence 30)", refused.Error.Message, StringComparison.Ordinal);
        Assert.Contains("before eventSequence 30", refused.Error.Message, StringComparison.Ordinal);
    }
}
