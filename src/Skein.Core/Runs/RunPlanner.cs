using Skein.Core.Steps;

namespace Skein.Core.Runs;

/// <summary>
/// What a Running run does next, decided only from its committed steps. Live execution and recovery
/// after a crash go through the same function, so a resumed run continues exactly where it stopped.
/// </summary>
public static class RunPlanner
{
    public static NextAction Next(RunState run)
    {
        if (run.Status != RunStatus.Running)
        {
            return new NextAction.Idle();
        }

        var last = run.Steps.LastOrDefault();
        switch (last?.Payload)
        {
            case null:
                return new NextAction.PrepareModelRequest(1);
            case LlmRequestPrepared prepared:
                return new NextAction.CallModel(prepared.Iteration);
            case ToolCallStep call:
                return new NextAction.ResolveInterruptedToolCall(call, last.Sequence);
            case OutputStep:
                return new NextAction.Idle();
            case UserMessageStep:
                return new NextAction.PrepareModelRequest(run.Iteration + 1);
            case ReasoningStep or ToolResultStep or UserTaskRequestStep:
                return PendingToolCall(run) is { } pending
                    ? new NextAction.StartToolCall(pending)
                    : new NextAction.PrepareModelRequest(run.Iteration + 1);
            default:
                throw new InvalidOperationException($"no plan after a {last.Type} step");
        }
    }

    /// <summary>The first tool call the latest model turn asked for that has no ToolCall step yet.</summary>
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
                case ReasoningStep reasoning:
                    return reasoning.ToolCalls.FirstOrDefault(c => !started.Contains(c.ToolCallId));
            }
        }

        return null;
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
}
