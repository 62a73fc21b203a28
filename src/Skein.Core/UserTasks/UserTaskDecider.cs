using System.Globalization;
using System.Text.Json;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.UserTasks;

/// <summary>
/// The rules of user tasks: a run asks (task + UserTaskReq step + WaitingForHITL, in one change), a person
/// answers once (validated against the kind), and the run resumes when nothing else is pending.
/// </summary>
public static class UserTaskDecider
{
    public const string TimerActor = "timer";

    /// <summary>Creates a task on a Running run and parks the run in WaitingForHITL.</summary>
    public static UserTaskState? Ask(SessionChange change, Guid runId, NewTask task, DateTimeOffset at, string actor)
    {
        if (change.State?.Runs.GetValueOrDefault(runId) is not { Status: RunStatus.Running })
        {
            change.Reject(new DomainError(DomainErrorCodes.Conflict, "only a Running run can ask a person"));
            return null;
        }

        var state = new UserTaskState
        {
            Id = Ids.New(at),
            RunId = runId,
            Kind = task.Kind,
            Status = UserTaskStatus.Pending,
            Summary = task.Summary,
            Context = task.Context,
            ToolCallId = task.ToolCallId,
            CreatedAt = at,
            TimeoutAt = task.TimeoutAt,
        };
        change.Emit(
            new UserTaskCreated
            {
                At = at,
                Actor = actor,
                Task = state,
            }
        );
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(
                new UserTaskRequestStep(state.Id, state.Kind, state.Summary, state.Context, state.ToolCallId)
                {
                    Iteration = task.Iteration,
                }
            ),
            at,
            actor
        );
        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.WaitingForHITL) { Reason = $"waiting for {state.Kind}" },
            at,
            actor
        );
        return state;
    }

    /// <summary>
    /// Records an answer. Approvals and reviews resume the run, which then runs or refuses the gated call;
    /// questions from ask-a-person tools also record the tool's result from the answer.
    /// </summary>
    public static void Answer(SessionChange change, Guid taskId, UserTaskAnswer answer, DateTimeOffset at, string actor)
    {
        if (change.State?.Tasks.GetValueOrDefault(taskId) is not { } task)
        {
            change.Reject(DomainError.NotFound("user task", taskId));
            return;
        }

        if (UserTaskStatusMachine.Instance.Check(task.Status, UserTaskStatus.Completed) is not null)
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.TaskClosed,
                    $"user task {taskId} is already {task.Status}; only a Pending task can be answered"
                )
            );
            return;
        }

        if (Invalid(task, answer) is { } problem)
        {
            change.Reject(new DomainError(DomainErrorCodes.InvalidInput, problem));
            return;
        }

        var outcome = new UserTaskOutcome
        {
            Approved = answer.Approved,
            SelectedOptionId = answer.SelectedOptionId,
            TextValue = answer.TextValue,
            NumberValue = answer.NumberValue,
            Metadata = answer.Metadata,
            Comment = answer.Comment,
            By = actor,
            At = at,
        };
        change.Emit(
            new UserTaskAnswered
            {
                At = at,
                Actor = actor,
                TaskId = taskId,
                RunId = task.RunId,
                Outcome = outcome,
            }
        );
        if (task.Kind == UserTaskKinds.AitlEscalation)
        {
            AitlDecider.OnEscalationAnswered(change, task, outcome, at, actor);
        }

        Resume(change, task, outcome, at, actor);
    }

    /// <summary>A due task resolves by its default: an unanswered approval is rejected.</summary>
    public static void TimeOut(SessionChange change, Guid taskId, DateTimeOffset at)
    {
        if (
            change.State?.Tasks.GetValueOrDefault(taskId)
                is not { Status: UserTaskStatus.Pending, TimeoutAt: { } due } task
            || due > at
        )
        {
            change.Reject(new DomainError(DomainErrorCodes.Conflict, "the task is not pending past its timeout"));
            return;
        }

        Answer(
            change,
            taskId,
            new UserTaskAnswer
            {
                Approved = false,
                Comment = "no answer before the approval timeout; resolved by its default (reject)",
            },
            at,
            TimerActor
        );
    }

    /// <summary>Pending tasks of a session that is ending (Terminate, Mark complete) become Cancelled.</summary>
    public static void CancelPending(SessionChange change, string reason, DateTimeOffset at, string actor)
    {
        foreach (var task in change.Current.Tasks.Values.Where(t => t.Status == UserTaskStatus.Pending).ToList())
        {
            change.Emit(
                new UserTaskCancelled
                {
                    At = at,
                    Actor = actor,
                    TaskId = task.Id,
                    RunId = task.RunId,
                    Reason = reason,
                }
            );
        }
    }

    /// <summary>The decision a gated tool call already received, if any.</summary>
    public static UserTaskState? DecisionFor(SessionState session, Guid runId, string toolCallId, string kind) =>
        session
            .Tasks.Values.Where(t => t.RunId == runId && t.ToolCallId == toolCallId && t.Kind == kind)
            .MaxBy(t => t.CreatedAt);

    private static void Resume(
        SessionChange change,
        UserTaskState task,
        UserTaskOutcome outcome,
        DateTimeOffset at,
        string actor
    )
    {
        var run = change.Current.Runs[task.RunId];
        if (
            run.Status != RunStatus.WaitingForHITL
            || change.Current.Tasks.Values.Any(t => t.RunId == run.Id && t.Status == UserTaskStatus.Pending)
        )
        {
            return;
        }

        SessionDecider.MoveRun(
            change,
            run.Id,
            new RunTransition(RunStatus.Running) { Reason = $"{task.Kind} answered" },
            at,
            actor
        );
        if (!UserTaskKinds.IsDecision(task.Kind) && task.ToolCallId is { } callId)
        {
            SessionDecider.AppendStep(
                change,
                run.Id,
                new StepDraft(
                    new ToolResultStep(callId, ToolResultBody.Ok(AnswerData(task, outcome)))
                    {
                        Iteration = run.Iteration,
                    }
                ),
                at,
                actor
            );
        }
    }

    private static JsonElement AnswerData(UserTaskState task, UserTaskOutcome outcome) =>
        task.Kind switch
        {
            UserTaskKinds.MultiOption => SkeinJson.Element(
                new
                {
                    selected_option_id = outcome.SelectedOptionId,
                    label = OptionLabel(task, outcome.SelectedOptionId),
                    answered_by = outcome.By,
                }
            ),
            UserTaskKinds.Number => SkeinJson.Element(new { value = outcome.NumberValue, answered_by = outcome.By }),
            _ => SkeinJson.Element(new { value = outcome.TextValue, answered_by = outcome.By }),
        };

    private static string? Invalid(UserTaskState task, UserTaskAnswer answer) =>
        task.Kind switch
        {
            UserTaskKinds.Approval or UserTaskKinds.AnomalyReview => answer.Approved is null
                ? $"a {task.Kind} task is answered with approved: true or false"
                : null,
            UserTaskKinds.AnomalyAlert => null,
            UserTaskKinds.MultiOption => answer.SelectedOptionId is null
                ? "a multi_option task is answered with selectedOptionId"
            : OptionLabel(task, answer.SelectedOptionId) is null
                ? $"'{answer.SelectedOptionId}' is not one of the task's options"
            : null,
            UserTaskKinds.Number => answer.NumberValue is null
            && !double.TryParse(answer.TextValue, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? "a number task is answered with numberValue (a number)"
                : NumberOutOfRange(
                    task,
                    answer.NumberValue ?? double.Parse(answer.TextValue!, CultureInfo.InvariantCulture)
                ),
            UserTaskKinds.Text or UserTaskKinds.AitlEscalation => string.IsNullOrWhiteSpace(answer.TextValue)
                ? $"a {task.Kind} task is answered with a non-empty textValue"
                : null,
            _ => null,
        };

    private static string? NumberOutOfRange(UserTaskState task, double value)
    {
        if (task.Context.ValueKind == JsonValueKind.Object)
        {
            if (task.Context.TryGetProperty("min", out var min) && min.TryGetDouble(out var lo) && value < lo)
            {
                return $"the answer must be at least {lo.ToString(CultureInfo.InvariantCulture)}";
            }

            if (task.Context.TryGetProperty("max", out var max) && max.TryGetDouble(out var hi) && value > hi)
            {
                return $"the answer must be at most {hi.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return null;
    }

    private static string? OptionLabel(UserTaskState task, string? optionId)
    {
        if (
            optionId is null
            || task.Context.ValueKind != JsonValueKind.Object
            || !task.Context.TryGetProperty("options", out var options)
            || options.ValueKind != JsonValueKind.Array
        )
        {
            return null;
        }

        foreach (var option in options.EnumerateArray())
        {
            if (option.TryGetProperty("id", out var id) && id.GetString() == optionId)
            {
                return option.TryGetProperty("label", out var label) ? label.GetString() ?? optionId : optionId;
            }
        }

        return null;
    }
}

/// <summary>What a run asks for; the decider gives it an id and a creation time.</summary>
public sealed record NewTask(string Kind, string Summary, JsonElement Context, string? ToolCallId, int Iteration)
{
    public DateTimeOffset? TimeoutAt { get; init; }
}
