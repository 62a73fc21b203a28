using Skein.Core.Redaction;
using Skein.Core.Steps;

namespace Skein.Core.Events;

/// <summary>
/// A piece of a model answer while it is being generated (SPEC section 12): a transient stream event
/// <c>kind: step</c>, <c>subject: engine.step.delta</c>, <c>data: {runId, iteration, index, text}</c>. It is never
/// stored and never replayed; the committed <c>reasoning</c> step of the same run and iteration is the record (or,
/// for a call a message interrupted, its <c>model_call_discarded</c> step).
/// </summary>
/// <param name="Index">0-based position of the piece within its model call; a gap means a slow reader lost
/// some.</param>
/// <param name="After">The session's stream version when the model call started: a reader sends the piece only once
/// it has sent every event up to there, so the piece never comes before the request it answers.</param>
public sealed record StepDelta(Guid RunId, int Iteration, int Index, string Text, DateTimeOffset At, long After)
{
    public const string Subject = "engine.step.delta";

    /// <summary>The kind of every delta: output-only redaction drops it as it drops steps.</summary>
    public const string Kind = StreamKinds.Step;

    /// <summary>The run and iteration of a committed <c>reasoning</c> step, which supersedes that call's deltas, or
    /// of the record of a call a message interrupted (<c>model_call_discarded</c>), after which none of its text
    /// goes out.</summary>
    public static bool Ends(SessionEvent e, out Guid runId, out int iteration)
    {
        if (e is StepAppended { Step: { Payload: ReasoningStep or ModelCallDiscardedStep } step })
        {
            runId = step.RunId;
            iteration = step.Payload.Iteration;
            return true;
        }

        runId = default;
        iteration = 0;
        return false;
    }
}
