using System.Collections.Concurrent;
using System.Diagnostics;

namespace Skein.Engine.Telemetry;

/// <summary>
/// The engine's one <see cref="ActivitySource"/> (and the name of its one Meter, <see cref="SkeinMetrics"/>):
/// <c>invoke_agent &lt;agent&gt;</c> per executing run segment, <c>chat &lt;model&gt;</c> per model call and
/// <c>execute_tool &lt;tool&gt;</c> per tool call, with the OpenTelemetry GenAI semantic-convention attributes.
/// Starting a span costs nothing when no listener samples it (no exporter configured).
/// </summary>
public static class SkeinTelemetry
{
    public const string Name = "Skein.Engine";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>The span of each traced run's latest segment on this node, until the run finishes: a child run's
    /// segment nests under its parent's (a restart loses it; the child then hangs under the session's parent).
    /// Bounded: cleared whole past <see cref="MaxRememberedRuns"/>.</summary>
    private static readonly ConcurrentDictionary<Guid, ActivityContext> RunContexts = new();
    private const int MaxRememberedRuns = 100_000;

    /// <summary>The current span's W3C <c>traceparent</c>, stored in a run's start context so every later segment
    /// of the run (after a park, a restart, on another node) is a child of the span that started it.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>One executing segment of a run: from its (re)start until it parks, finishes or is handed
    /// over.</summary>
    public static Activity? StartRun(
        string agentName,
        Guid agentId,
        string model,
        string providerKind,
        Guid sessionId,
        Guid runId,
        Guid? parentRunId,
        string? traceParent
    )
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent =
            parentRunId is { } parentRun && RunContexts.TryGetValue(parentRun, out var ofParent) ? ofParent
            : traceParent is not null && ActivityContext.TryParse(traceParent, null, out var p) ? p
            : default;
        var activity = Source.StartActivity($"{GenAi.InvokeAgent} {agentName}", ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity
                .SetTag(GenAi.OperationName, GenAi.InvokeAgent)
                .SetTag(GenAi.ProviderName, providerKind)
                .SetTag(GenAi.AgentName, agentName)
                .SetTag(GenAi.AgentId, agentId.ToString())
                .SetTag(GenAi.RequestModel, model)
                .SetTag(GenAi.ConversationId, sessionId.ToString())
                .SetTag(GenAi.SessionId, sessionId.ToString())
                .SetTag(GenAi.RunId, runId.ToString());
        }

        if (activity is not null)
        {
            if (RunContexts.Count >= MaxRememberedRuns)
            {
                RunContexts.Clear();
            }

            RunContexts[runId] = activity.Context;
        }

        return activity;
    }

    /// <summary>A finished run's span is no parent any more.</summary>
    public static void RunFinished(Guid runId)
    {
        if (!RunContexts.IsEmpty)
        {
            RunContexts.TryRemove(runId, out _);
        }
    }

    /// <summary>A tool call's execution (not its decision, which commits with the model turn before it).</summary>
    public static Activity? StartTool(string toolName, string toolCallId, Guid sessionId, Guid runId)
    {
        var activity = Source.StartActivity($"{GenAi.ExecuteTool} {toolName}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity
                .SetTag(GenAi.OperationName, GenAi.ExecuteTool)
                .SetTag(GenAi.ToolName, toolName)
                .SetTag(GenAi.ToolCallId, toolCallId)
                .SetTag(GenAi.ToolType, "function")
                .SetTag(GenAi.SessionId, sessionId.ToString())
                .SetTag(GenAi.RunId, runId.ToString());
        }

        return activity;
    }

    /// <summary>Marks a span failed with a short reason (never a prompt or tool output).</summary>
    public static void Fail(Activity? activity, string errorType, string? description)
    {
        activity?.SetTag(GenAi.ErrorType, errorType).SetStatus(ActivityStatusCode.Error, description);
    }
}
