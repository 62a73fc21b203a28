using Skein.Core.Steps;

namespace Skein.Core.Sessions;

/// <summary>
/// Which steps a fork copies (SPEC section 10): the source's root run up to the chosen step. The copy must end where
/// the run planner can continue live from committed steps alone: after a model request was prepared (the model is
/// asked), after a model turn (its tool calls run, or the model is asked again), after a tool result or a user
/// message. Not after a tool call (its result would be a guess), a task request (the task is not copied), or the output
/// (nothing is left to do); and not across sub-agent work, whose child runs are not copied.
/// </summary>
public static class ForkRules
{
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
        if (prefix.FirstOrDefault(s => IsSubAgentWork(s.Payload)) is { } crossing)
        {
            return DomainError.Invalid(
                $"cannot fork past step {crossing.Sequence} ({crossing.Type}): sub-agent work is not copied"
            );
        }

        var last = prefix[^1];
        return last.Payload is LlmRequestPrepared or ReasoningStep or ToolResultStep or UserMessageStep
            ? prefix
            : DomainError.Invalid(
                $"cannot fork from a {last.Type} step: choose a model request, model turn, tool result or user message"
            );
    }

    private static bool IsSubAgentWork(StepPayload payload) =>
        payload
            is SubAgentCallStep
                or SubAgentResultStep
                or AitlRequestStep
                or AitlReceivedStep
                or AitlResponseStep
                or AitlResolvedStep;
}
