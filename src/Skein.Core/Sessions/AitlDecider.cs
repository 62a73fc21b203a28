using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Runs;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Core.Sessions;

/// <summary>
/// Agent-in-the-loop (SPEC section 9): a child asks its parent (<c>ask_parent</c>), the parent's model answers
/// (<c>aitl_answer</c>) or, under a HITL root only, escalates to a person (<c>aitl_escalate</c>), whose answer goes
/// back to the child.
/// </summary>
public static class AitlDecider
{
    public const string AskParent = "ask_parent";
    public const string AnswerTool = "aitl_answer";
    public const string EscalateTool = "aitl_escalate";

    public static bool IsAitlTool(string name) => name is AskParent or AnswerTool or EscalateTool;

    /// <summary>The child waits in WaitingForAITL; its parent records the question and resumes to answer
    /// it.</summary>
    public static void Ask(
        SessionChange change,
        Guid childRunId,
        RequestedToolCall call,
        DateTimeOffset at,
        string actor
    )
    {
        var child = change.Current.Runs[childRunId];
        if (child.ParentRunId is not { } parentId)
        {
            SubAgentDecider.Refuse(change, childRunId, call, "ask_parent: this run has no parent agent", at, actor);
            return;
        }

        var question = Text(call.Arguments, "question");
        if (string.IsNullOrWhiteSpace(question))
        {
            SubAgentDecider.Refuse(
                change,
                childRunId,
                call,
                "ask_parent: 'question' (a non-empty string) is required",
                at,
                actor
            );
            return;
        }

        JsonElement? context =
            call.Arguments.ValueKind == JsonValueKind.Object && call.Arguments.TryGetProperty("context", out var c)
                ? c.Clone()
                : null;
        var requestId = Ids.New(at);
        SessionDecider.AppendStep(
            change,
            childRunId,
            new StepDraft(
                new AitlRequestStep(requestId, question, context, call.ToolCallId)
                {
                    Iteration = child.Iteration,
                    ParentRunId = parentId,
                }
            ),
            at,
            actor
        );
        SessionDecider.AppendStep(
            change,
            parentId,
            new StepDraft(
                new AitlReceivedStep(requestId, childRunId, question, context)
                {
                    Iteration = change.Current.Runs[parentId].Iteration,
                }
            ),
            at,
            actor,
            anyStatus: true
        );
        SessionDecider.MoveRun(
            change,
            childRunId,
            new RunTransition(RunStatus.WaitingForAITL) { Reason = "asked its parent" },
            at,
            actor
        );
    }

    /// <summary>The parent's model answers a pending question; the child continues with the answer.</summary>
    public static void Answer(
        SessionChange change,
        Guid parentRunId,
        RequestedToolCall call,
        DateTimeOffset at,
        string actor
    )
    {
        var answer = Text(call.Arguments, "answer");
        if (string.IsNullOrWhiteSpace(answer))
        {
            SubAgentDecider.Refuse(
                change,
                parentRunId,
                call,
                "aitl_answer: 'answer' (a non-empty string) is required",
                at,
                actor
            );
            return;
        }

        if (Pending(change, parentRunId, call, out var received) is { } problem)
        {
            SubAgentDecider.Refuse(change, parentRunId, call, $"{AnswerTool}: {problem}", at, actor);
            return;
        }

        SubAgentDecider.Complete(
            change,
            parentRunId,
            call,
            SkeinJson.Element(new { request_id = received!.RequestId, delivered = true }),
            at,
            actor
        );
        Resolve(change, parentRunId, received, answer, "agent", escalated: false, null, at, actor);
    }

    /// <summary>
    /// The parent hands a question to a person (HITL root only): an <c>aitl_escalation</c> task on the parent, whose
    /// textValue answer goes to the child (<see cref="OnEscalationAnswered"/>).
    /// </summary>
    public static void Escalate(
        SessionChange change,
        Guid parentRunId,
        RequestedToolCall call,
        DateTimeOffset at,
        string actor
    )
    {
        if (RunTree.RootMode(change.Current) != ExecutionMode.HITL)
        {
            SubAgentDecider.Refuse(
                change,
                parentRunId,
                call,
                $"{EscalateTool}: escalating to a person needs a HITL root agent; answer with {AnswerTool}",
                at,
                actor
            );
            return;
        }

        if (Pending(change, parentRunId, call, out var received) is { } problem)
        {
            SubAgentDecider.Refuse(change, parentRunId, call, $"{EscalateTool}: {problem}", at, actor);
            return;
        }

        var parent = change.Current.Runs[parentRunId];
        var child = change.Current.Runs[received!.ChildRunId];
        var step = new ToolCallStep(
            call.Name,
            call.Arguments,
            call.ToolCallId,
            call.Name,
            $"{parentRunId:N}:{parent.Steps.Count + 1}"
        )
        {
            Iteration = parent.Iteration,
        };
        SessionDecider.AppendStep(change, parentRunId, new StepDraft(step), at, actor);
        var context = SkeinJson.Element(
            new
            {
                request_id = received.RequestId,
                child_run_id = child.Id,
                agent_name = child.AgentName,
                question = received.Question,
                context = received.Context,
            }
        );
        UserTaskDecider.Ask(
            change,
            parentRunId,
            new NewTask(
                UserTaskKinds.AitlEscalation,
                $"Sub-agent {child.AgentName} asks: {received.Question}",
                context,
                call.ToolCallId,
                parent.Iteration
            ),
            at,
            actor
        );
    }

    /// <summary>A person answered an escalation: the parent records the resolution and the child gets the
    /// answer.</summary>
    internal static void OnEscalationAnswered(
        SessionChange change,
        UserTaskState task,
        UserTaskOutcome outcome,
        DateTimeOffset at,
        string actor
    )
    {
        if (
            task.Context.ValueKind != JsonValueKind.Object
            || !task.Context.TryGetProperty("request_id", out var id)
            || !id.TryGetGuid(out var requestId)
        )
        {
            return;
        }

        var parent = change.Current.Runs[task.RunId];
        var received = RunTree.PendingQuestions(parent, change.Current).FirstOrDefault(q => q.RequestId == requestId);
        if (received is null)
        {
            return;
        }

        Resolve(change, parent.Id, received, outcome.TextValue ?? "", outcome.By, escalated: true, task.Id, at, actor);
    }

    private static void Resolve(
        SessionChange change,
        Guid parentRunId,
        AitlReceivedStep received,
        string answer,
        string answeredBy,
        bool escalated,
        Guid? taskId,
        DateTimeOffset at,
        string actor
    )
    {
        SessionDecider.AppendStep(
            change,
            parentRunId,
            new StepDraft(
                new AitlResolvedStep(received.RequestId, received.ChildRunId, answer, escalated)
                {
                    Iteration = change.Current.Runs[parentRunId].Iteration,
                    UserTaskId = taskId,
                }
            ),
            at,
            actor,
            anyStatus: true
        );
        var child = change.Current.Runs[received.ChildRunId];
        var ask = child
            .Steps.Select(s => s.Payload)
            .OfType<AitlRequestStep>()
            .LastOrDefault(r => r.RequestId == received.RequestId);
        if (child.Status != RunStatus.WaitingForAITL || ask is null)
        {
            return;
        }

        SessionDecider.MoveRun(
            change,
            child.Id,
            new RunTransition(RunStatus.Running) { Reason = escalated ? "a person answered" : "its parent answered" },
            at,
            actor
        );
        SessionDecider.AppendStep(
            change,
            child.Id,
            new StepDraft(
                new AitlResponseStep(received.RequestId, answer, answeredBy, ask.ToolCallId)
                {
                    Iteration = child.Iteration,
                }
            ),
            at,
            actor
        );
    }

    /// <summary>The question a call resolves: the one its <c>request_id</c> names, or the only one pending.</summary>
    private static string? Pending(
        SessionChange change,
        Guid parentRunId,
        RequestedToolCall call,
        out AitlReceivedStep? received
    )
    {
        var pending = RunTree.PendingQuestions(change.Current.Runs[parentRunId], change.Current);
        received = null;
        var named = Text(call.Arguments, "request_id");
        if (string.IsNullOrWhiteSpace(named))
        {
            if (pending.Count == 1)
            {
                received = pending[0];
                return null;
            }

            return pending.Count == 0
                ? "no question from a sub-agent is pending"
                : $"{pending.Count} questions are pending; name one with request_id";
        }

        received = Guid.TryParse(named.Trim(), out var requestId)
            ? pending.FirstOrDefault(p => p.RequestId == requestId)
            : null;
        return received is null ? $"no pending question has request_id '{named}'" : null;
    }

    private static string? Text(JsonElement args, string name) =>
        args.ValueKind == JsonValueKind.Object
        && args.TryGetProperty(name, out var v)
        && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
