using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Runs;

/// <summary>
/// What a Running run does next, decided only from its committed steps. Live execution and recovery
/// after a crash go through the same function, so a resumed run continues exactly where it stopped.
/// </summary>
public static class RunPlanner
{
    /// <summary>The next action of <paramref name="run"/>; <paramref name="session"/> tells which of its dispatched
    /// children have started (without it, every dispatched child counts as started).</summary>
    public static NextAction Next(RunState run, SessionState? session = null)
    {
        if (run.Status != RunStatus.Running)
        {
            return new NextAction.Idle();
        }

        var last = LastActive(run);
        switch (last?.Payload)
        {
            case null:
                return new NextAction.PrepareModelRequest(1);
            case LlmRequestPrepared prepared:
                return new NextAction.CallModel(prepared.Iteration);
            case ProviderBackoffStep backoff:
                // The back-off ended (the run is Running again): the same request is asked again.
                return new NextAction.CallModel(backoff.Iteration);
            case ToolCallStep call:
                return new NextAction.ResolveInterruptedToolCall(call, last.Sequence);
            case OutputStep:
                return new NextAction.Idle();
            case UserMessageStep:
                return new NextAction.PrepareModelRequest(run.Iteration + 1);
            case ReasoningStep
            or ToolResultStep
            or UserTaskRequestStep
            or SubAgentCallStep
            or SubAgentResultStep
            or AitlRequestStep
            or AitlReceivedStep
            or AitlResponseStep
            or AitlResolvedStep:
                return PendingToolCall(run) is { } pending
                    ? new NextAction.StartToolCall(pending)
                    : AfterCalls(run, session);
            default:
                throw new InvalidOperationException($"no plan after a {last.Type} step");
        }
    }

    /// <summary>
    /// The latest step that plans the run: a message queued while the run worked waits for the next model turn
    /// (which reads it) and plans nothing by itself, and neither does the record of a model call that a message
    /// interrupted.
    /// </summary>
    private static StepRecord? LastActive(RunState run)
    {
        for (var i = run.Steps.Count - 1; i >= 0; i--)
        {
            if (run.Steps[i].Payload is not (UserMessageStep { Queued: true } or ModelCallDiscardedStep))
            {
                return run.Steps[i];
            }
        }

        return null;
    }

    /// <summary>
    /// True when a message queued while the run worked arrived after its latest model request was prepared: that
    /// request did not carry it, so the run takes another turn before it may finish.
    /// </summary>
    public static bool HasUnreadMessages(RunState run)
    {
        for (var i = run.Steps.Count - 1; i >= 0; i--)
        {
            switch (run.Steps[i].Payload)
            {
                case UserMessageStep { Queued: true }:
                    return true;
                case LlmRequestPrepared:
                    return false;
            }
        }

        return false;
    }

    /// <summary>True when the run is Running but has nothing to do until a child finishes (it holds no
    /// driver).</summary>
    public static bool IsParked(RunState run, SessionState session) => Next(run, session) is NextAction.AwaitChildren;

    /// <summary>The first tool call the latest model turn asked for that has no step of its own yet.</summary>
    public static RequestedToolCall? PendingToolCall(RunState run)
    {
        var started = new HashSet<string>(StringComparer.Ordinal);
        for (var i = run.Steps.Count - 1; i >= 0; i--)
        {
            switch (run.Steps[i].Payload)
            {
                case ToolCallStep call:
                    started.Add(call.ToolCallId);
                    break;
                case SubAgentCallStep dispatch:
                    started.Add(dispatch.ToolCallId);
                    break;
                case AitlRequestStep ask:
                    started.Add(ask.ToolCallId);
                    break;
                case ReasoningStep reasoning:
                    return reasoning.ToolCalls.FirstOrDefault(c => !started.Contains(c.ToolCallId));
            }
        }

        return null;
    }

    /// <summary>
    /// Every call of the turn has its step: with children outstanding the run answers their questions, starts the
    /// children whose turn it is, or waits; otherwise the model gets the results.
    /// </summary>
    private static NextAction AfterCalls(RunState run, SessionState? session)
    {
        var outstanding = RunTree.OutstandingCalls(run);
        if (outstanding.Count == 0 || RunTree.PendingQuestions(run, session).Count > 0)
        {
            return new NextAction.PrepareModelRequest(run.Iteration + 1);
        }

        if (session is not null)
        {
            var toStart = RunTree.ChildrenToStart(run, outstanding, session);
            if (toStart.Count > 0)
            {
                return new NextAction.StartChildren(toStart);
            }
        }

        return new NextAction.AwaitChildren();
    }
}

public abstract record NextAction
{
    private NextAction() { }

    public sealed record Idle : NextAction;

    public sealed record PrepareModelRequest(int Iteration) : NextAction;

    public sealed record CallModel(int Iteration) : NextAction;

    public sealed record StartToolCall(RequestedToolCall Call) : NextAction;

    /// <summary>A ToolCall was committed but its result never was: the process stopped mid-call.</summary>
    public sealed record ResolveInterruptedToolCall(ToolCallStep Call, int Sequence) : NextAction;

    /// <summary>Dispatches committed without a child run yet: start these children (their ids are in the
    /// steps).</summary>
    public sealed record StartChildren(IReadOnlyList<SubAgentCallStep> Calls) : NextAction;

    /// <summary>The run waits for its children; the last one to finish gets it moving again.</summary>
    public sealed record AwaitChildren : NextAction;
}
