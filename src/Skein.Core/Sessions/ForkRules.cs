using Skein.Core.Steps;

namespace Skein.Core.Sessions;

/// <summary>
/// Which steps a fork copies (SPEC section 10): the source's root run up to the chosen step. The copy must end where
/// the run planner can continue live from committed steps alone: after a model request was prepared (the model is
/// asked), after a model turn (its tool calls run, or the model is asked again), after a tool result or a user
/// message. Not after a tool call (its result would be a guess), a task request (the task is not copied), or the output
/// (nothing is left to do). And only before the root run's first sub-agent step: a fork copies the root run alone, and
/// a <c>SubAgentCall</c>, its result or an AITL exchange names child runs that would not exist in the fork, so the
/// steps from the first sub-agent call on cannot be forked from (the steps before it can: they hold no child state).
/// </summary>
public static class ForkRules
{
    private static readonly HashSet<string> EndTypes =
    [
        StepType.LlmRequestPrepared,
        StepType.Reasoning,
        StepType.ToolResult,
        StepType.UserMessage,
    ];

    private static readonly HashSet<string> SubAgentTypes =
    [
        StepType.SubAgentCall,
        StepType.SubAgentResult,
        StepType.AitlRequest,
        StepType.AitlReceived,
        StepType.AitlResponse,
        StepType.AitlResolved,
    ];

    /// <summary>True for a step of <paramref name="stepType"/> a fork may end its copy at, when it comes before the
    /// root run's first sub-agent step.</summary>
    public static bool CanEndAt(string stepType) => EndTypes.Contains(stepType);

    /// <summary>True for a step about a child run: no fork copies it or any step after it.</summary>
    public static bool IsSubAgentWork(string stepType) => SubAgentTypes.Contains(stepType);

    /// <summary>The payloads to copy from <paramref name="rootSteps"/> (the root run's steps with their session
    /// sequence, in order) up to and including the step at <paramref name="fromSequence"/>, or why not.</summary>
    public static Result<IReadOnlyList<StepRecord>> Prefix(
        IReadOnlyList<(long SessionSequence, StepRecord Step)> rootSteps,
        long fromSequence
    )
    {
        var end = -1;
        for (var i = 0; i < rootSteps.Count; i++)
        {
            if (rootSteps[i].SessionSequence == fromSequence)
            {
                end = i;
                break;
            }
        }

        if (end < 0)
        {
            return DomainError.Invalid(
                $"fromSequence {fromSequence} is not a step of the session's root run (use a step's eventSequence)"
            );
        }

        var prefix = rootSteps.Take(end + 1).Select(s => s.Step).ToList();
        if (prefix.FirstOrDefault(s => IsSubAgentWork(s.Type)) is { } crossing)
        {
            var first = rootSteps.First(s => s.Step.Sequence == crossing.Sequence).SessionSequence;
            return DomainError.Invalid(
                $"cannot fork from step {prefix[^1].Sequence}: it comes at or after step {crossing.Sequence} "
                    + $"({crossing.Type}, eventSequence {first}), the root run's first sub-agent step, and a fork "
                    + "copies the root run only, not the child runs that step refers to; fork from a model request, "
                    + $"model turn, tool result or user message before eventSequence {first}"
            );
        }

        var last = prefix[^1];
        return CanEndAt(last.Type)
            ? prefix
            : DomainError.Invalid(
                $"cannot fork from a {last.Type} step: choose a model request, model turn, tool result or user message"
            );
    }
}
