using System.Text.Json;
using System.Text.Json.Nodes;
using Skein.Core.Redaction;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Events;

/// <summary>
/// How a stored session event appears on the live stream (SPEC section 4): a <c>kind</c>, a
/// <c>subject</c> such as <c>engine.step.ToolCall</c>, and a snake_case <c>data</c> object.
/// </summary>
public static class StreamEventMapping
{
    public const string SessionStarted = "engine.session.started";
    public const string SessionCompleted = "engine.session.completed";
    public const string SessionStatusChanged = "engine.session.status_changed";
    public const string RunStarted = "engine.run.started";
    public const string RunCompleted = "engine.run.completed";
    public const string RunStatusChanged = "engine.run.status_changed";
    public const string UserTaskCreatedSubject = "engine.user_task.created";
    public const string UserTaskCompletedSubject = "engine.user_task.completed";
    public const string UserTaskCancelledSubject = "engine.user_task.cancelled";

    /// <summary>A child asked its parent (the child's AitlRequest step), as a <c>kind: aitl</c> event.</summary>
    public const string AitlRequested = "engine.aitl.requested";

    /// <summary>The parent's AitlResolved step, as a <c>kind: aitl</c> event.</summary>
    public const string AitlResolved = "engine.aitl.resolved";

    public static StreamEventView Map(Guid sessionId, SessionEvent e) =>
        e switch
        {
            Events.SessionStarted s => new(
                StreamKinds.Session,
                SessionStarted,
                e.At,
                Data(
                    sessionId,
                    null,
                    new JsonObject
                    {
                        ["agent_id"] = s.StartContext.Version.AgentId,
                        ["agent_version_id"] = s.StartContext.Version.AgentVersionId,
                        ["trigger_type"] = s.TriggerType.ToWire(),
                        ["root_run_id"] = s.RootRunId,
                        ["status"] = nameof(SessionStatus.Running),
                    }
                )
            ),
            Events.SessionStatusChanged c => new(
                StreamKinds.Session,
                SessionStatusMachine.IsTerminal(c.To) ? SessionCompleted : SessionStatusChanged,
                e.At,
                Data(sessionId, null, Status(c.From.ToString(), c.To.ToString(), c.Reason, c.Output, c.Error, e.Actor))
            ),
            Events.RunStarted r => new(
                StreamKinds.Run,
                r.Depth > 0 ? OutputOnlyRedaction.SubagentSpawnedSubject : RunStarted,
                e.At,
                Data(sessionId, r.RunId, RunStartedData(r))
            ),
            Events.RunStatusChanged c => new(
                StreamKinds.Run,
                RunStatusMachine.IsTerminal(c.To) ? RunCompleted : RunStatusChanged,
                e.At,
                Data(
                    sessionId,
                    c.RunId,
                    Status(c.From.ToString(), c.To.ToString(), c.Reason, c.Output, c.Error, e.Actor)
                )
            ),
            StepAppended { Step.Payload: AitlRequestStep } s => new(
                StreamKinds.Aitl,
                AitlRequested,
                e.At,
                StepData(sessionId, s)
            ),
            StepAppended { Step.Payload: AitlResolvedStep } s => new(
                StreamKinds.Aitl,
                AitlResolved,
                e.At,
                StepData(sessionId, s)
            ),
            StepAppended s => new(StreamKinds.Step, "engine.step." + s.Step.Type, e.At, StepData(sessionId, s)),
            UserTaskCreated t => new(
                StreamKinds.UserTask,
                UserTaskCreatedSubject,
                e.At,
                Data(
                    sessionId,
                    t.Task.RunId,
                    new JsonObject
                    {
                        ["user_task_id"] = t.Task.Id,
                        ["kind"] = t.Task.Kind,
                        ["status"] = t.Task.Status.ToString(),
                        ["summary"] = t.Task.Summary,
                        ["context"] = JsonNode.Parse(t.Task.Context.GetRawText()),
                        ["tool_call_id"] = t.Task.ToolCallId,
                        ["timeout_at"] = t.Task.TimeoutAt,
                    }
                )
            ),
            UserTaskAnswered a => new(
                StreamKinds.UserTask,
                UserTaskCompletedSubject,
                e.At,
                Data(
                    sessionId,
                    a.RunId,
                    new JsonObject
                    {
                        ["user_task_id"] = a.TaskId,
                        ["status"] = "Completed",
                        ["outcome"] = JsonSerializer.SerializeToNode(a.Outcome, SkeinJson.Options),
                    }
                )
            ),
            UserTaskCancelled c => new(
                StreamKinds.UserTask,
                UserTaskCancelledSubject,
                e.At,
                Data(
                    sessionId,
                    c.RunId,
                    new JsonObject
                    {
                        ["user_task_id"] = c.TaskId,
                        ["status"] = "Cancelled",
                        ["reason"] = c.Reason,
                    }
                )
            ),
            _ => throw new InvalidOperationException($"no stream mapping for {e.GetType().Name}"),
        };

    private static JsonObject StepData(Guid sessionId, StepAppended s)
    {
        var data = JsonSerializer.SerializeToNode(s.Step.Payload, SkeinJson.Options)!.AsObject();
        data["step_id"] = s.Step.Id;

        // data.sequence is the event's (its SSE id, set where the event is framed); the step's own is step_sequence.
        data["step_sequence"] = s.Step.Sequence;
        data["tokens_used"] = s.Step.TokensUsed;
        data["error"] = s.Step.Error;
        return Data(sessionId, s.Step.RunId, data);
    }

    private static JsonObject Status(
        string from,
        string to,
        string? reason,
        JsonElement? output,
        string? error,
        string actor
    ) =>
        new()
        {
            ["from"] = from,
            ["status"] = to,
            ["reason"] = reason,
            ["output"] = output is { } o ? JsonNode.Parse(o.GetRawText()) : null,
            ["error"] = error,
            ["actor"] = actor,
        };

    private static JsonObject RunStartedData(Events.RunStarted r)
    {
        var data = new JsonObject
        {
            ["parent_run_id"] = r.ParentRunId,
            ["depth"] = r.Depth,
            ["agent_id"] = r.AgentId,
            ["agent_name"] = r.AgentName,
            ["version_label"] = r.VersionLabel,
            ["status"] = nameof(RunStatus.Running),
        };
        if (r.Depth > 0)
        {
            // SPEC section 9 names engine.subagent.spawned's fields in camelCase; the snake_case ones above stay
            // for clients that read every run event the same way.
            data["runId"] = r.RunId;
            data["parentRunId"] = r.ParentRunId;
            data["agentId"] = r.AgentId;
        }

        return data;
    }

    private static JsonObject Data(Guid sessionId, Guid? runId, JsonObject rest)
    {
        rest["session_id"] = sessionId;
        if (runId is { } id)
        {
            rest["run_id"] = id;
        }

        return rest;
    }
}

/// <summary>One stream event before it is framed as SSE.</summary>
public sealed record StreamEventView(string Kind, string Subject, DateTimeOffset Ts, JsonObject Data);
