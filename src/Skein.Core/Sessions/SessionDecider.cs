using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Steps;

namespace Skein.Core.Sessions;

/// <summary>The session's rules: every command becomes events on a <see cref="SessionChange"/> or a typed
/// error.</summary>
public static class SessionDecider
{
    public const string TerminatedByOperator = "terminated by operator";
    public const string MarkedCompleteByOperator = "marked complete by operator";

    public static SessionChange Start(StartSession command)
    {
        var change = new SessionChange(null);
        var version = command.Context.Version;
        change.Emit(
            new SessionStarted
            {
                At = command.At,
                Actor = command.TriggeredBy,
                SessionId = command.SessionId,
                TenantId = command.TenantId,
                TriggerType = command.TriggerType,
                TriggeredBy = command.TriggeredBy,
                TriggerId = command.TriggerId,
                TriggerName = command.TriggerName,
                Input = command.Context.UserInput,
                StartContext = command.Context,
                RootRunId = command.RunId,
                Tags = command.Tags is { Count: > 0 } tags ? tags : null,
                ForkedFrom = command.ForkedFrom,
            }
        );
        change.Emit(
            new RunStarted
            {
                At = command.At,
                Actor = command.TriggeredBy,
                RunId = command.RunId,
                AgentId = version.AgentId,
                AgentVersionId = version.AgentVersionId,
                AgentName = version.AgentName,
                VersionLabel = version.VersionLabel,
                LlmModel = version.Model,
                Input = command.Context.UserInput,
            }
        );
        return change;
    }

    /// <summary>Appends one step to a Running run, numbering it after the run's last step.</summary>
    public static StepRecord? AppendStep(
        SessionChange change,
        Guid runId,
        StepDraft draft,
        DateTimeOffset at,
        string actor
    ) => AppendStep(change, runId, draft, at, actor, anyStatus: false);

    /// <summary>
    /// As above; with <paramref name="anyStatus"/> the run may also be waiting (not finished): a child's report to
    /// its parent (a result, a question) lands whatever the parent waits for, and is handled when it resumes.
    /// </summary>
    public static StepRecord? AppendStep(
        SessionChange change,
        Guid runId,
        StepDraft draft,
        DateTimeOffset at,
        string actor,
        bool anyStatus
    )
    {
        if (RequireRun(change, runId) is not { } run)
        {
            return null;
        }

        if (anyStatus ? run.IsTerminal : run.Status != RunStatus.Running)
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    $"run {runId} is {run.Status}; steps are only appended while Running"
                )
            );
            return null;
        }

        var step = new StepRecord(
            Ids.New(at),
            runId,
            run.Steps.Count + 1,
            draft.Payload,
            draft.TokensUsed,
            draft.Error,
            draft.StartedAt ?? at,
            at
        );
        change.Emit(
            new StepAppended
            {
                At = at,
                Actor = actor,
                Step = step,
            }
        );
        return step;
    }

    /// <summary>
    /// Moves a run and, unless <paramref name="sessionFollows"/> is off (operator actions that settle every run
    /// themselves), its tree: a finished run reports to its parent and ends its unfinished children, and the session
    /// takes the status the tree implies (<see cref="RunTree.SessionStatusOf"/>; the root's own when it finished).
    /// </summary>
    public static void MoveRun(
        SessionChange change,
        Guid runId,
        RunTransition t,
        DateTimeOffset at,
        string actor,
        bool sessionFollows = true
    )
    {
        if (RequireRun(change, runId) is not { } run)
        {
            return;
        }

        if (RunStatusMachine.Instance.Check(run.Status, t.To) is { } error)
        {
            change.Reject(error);
            return;
        }

        change.Emit(
            new RunStatusChanged
            {
                At = at,
                Actor = actor,
                RunId = runId,
                From = run.Status,
                To = t.To,
                Reason = t.Reason,
                Output = t.Output,
                Error = t.Error,
                WakeAt = t.WakeAt,
                CompletedWait = t.CompletedWait,
                CompletedBy = t.CompletedBy,
                CompletionNote = t.CompletionNote,
            }
        );

        if (!sessionFollows)
        {
            return;
        }

        if (RunStatusMachine.IsTerminal(t.To))
        {
            SubAgentDecider.OnRunFinished(change, runId, at, actor);
        }

        SyncSession(change, runId == change.Current.RootRunId ? t : null, at, actor);
    }

    /// <summary>Moves the session to the status its tree implies; <paramref name="root"/> is the root's transition
    /// when that is what moved (its reason, output and error become the session's).</summary>
    public static void SyncSession(SessionChange change, RunTransition? root, DateTimeOffset at, string actor)
    {
        if (change.Rejected || change.Current.IsTerminal)
        {
            return;
        }

        var to = RunTree.SessionStatusOf(change.Current);
        MoveSession(change, to, at, actor, root?.Reason, root?.Output, root?.Error);
    }

    /// <summary>The next model request of a run (iteration <paramref name="iteration"/>), or its failure when that
    /// exceeds maxIterations.</summary>
    public static void PrepareModelRequest(
        SessionChange change,
        Guid runId,
        int iteration,
        VersionSnapshot version,
        DateTimeOffset at,
        string actor
    )
    {
        if (Limits.LimitRules.CheckIteration(iteration, version.Limits) is { } exceeded)
        {
            FailRun(change, runId, exceeded, at, actor);
            return;
        }

        AppendStep(
            change,
            runId,
            new StepDraft(new LlmRequestPrepared(version.Model) { Iteration = iteration }),
            at,
            actor
        );
    }

    public static void FailRun(SessionChange change, Guid runId, string error, DateTimeOffset at, string actor) =>
        MoveRun(change, runId, new RunTransition(RunStatus.Failed) { Error = error, Reason = error }, at, actor);

    /// <summary>Operator Terminate: every non-terminal run fails, then the session is Terminated.
    /// Irreversible.</summary>
    public static void Terminate(SessionChange change, DateTimeOffset at, string actor)
    {
        if (change.State is not { } session || session.IsTerminal)
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.IllegalTransition,
                    $"session is {change.State?.Status.ToString() ?? "missing"}; only a session that has not finished "
                        + $"can be terminated"
                )
            );
            return;
        }

        UserTasks.UserTaskDecider.CancelPending(change, TerminatedByOperator, at, actor);
        foreach (var run in session.Runs.Values.Where(r => !r.IsTerminal).OrderBy(r => r.Depth).ToList())
        {
            MoveRun(
                change,
                run.Id,
                new RunTransition(RunStatus.Failed) { Error = TerminatedByOperator, Reason = TerminatedByOperator },
                at,
                actor,
                sessionFollows: false
            );
        }

        MoveSession(change, SessionStatus.Terminated, at, actor, TerminatedByOperator, null, TerminatedByOperator);
    }

    /// <summary>Operator Mark complete: only while the session waits; leaves an audit note on every run it
    /// completes.</summary>
    public static void MarkComplete(SessionChange change, DateTimeOffset at, string actor)
    {
        if (change.State is not { } session || !SessionStatusMachine.AllowsMarkComplete(session.Status))
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.IllegalTransition,
                    $"session is {change.State?.Status.ToString() ?? "missing"}; Mark complete is allowed only while "
                        + $"it waits (WaitingForResponse, WaitingForHITL, WaitingForAITL, WaitingForTimer)"
                )
            );
            return;
        }

        UserTasks.UserTaskDecider.CancelPending(change, MarkedCompleteByOperator, at, actor);
        foreach (var run in session.Runs.Values.Where(r => !r.IsTerminal).OrderByDescending(r => r.Depth).ToList())
        {
            MoveRun(
                change,
                run.Id,
                new RunTransition(RunStatus.Completed)
                {
                    Reason = MarkedCompleteByOperator,
                    CompletedBy = actor,
                    CompletionNote = MarkedCompleteByOperator,
                },
                at,
                actor,
                sessionFollows: false
            );
        }

        MoveSession(change, SessionStatus.Completed, at, actor, MarkedCompleteByOperator, null, null);
    }

    private static void MoveSession(
        SessionChange change,
        SessionStatus to,
        DateTimeOffset at,
        string actor,
        string? reason,
        JsonElement? output,
        string? error
    )
    {
        var session = change.Current;
        if (session.Status == to)
        {
            return;
        }

        if (SessionStatusMachine.Instance.Check(session.Status, to) is { } illegal)
        {
            change.Reject(illegal);
            return;
        }

        if (SessionStatusMachine.IsTerminal(to))
        {
            // A finished session waits for nobody: what was still pending is cancelled with it.
            UserTasks.UserTaskDecider.CancelPending(change, reason ?? $"session {to}", at, actor);
        }

        change.Emit(
            new SessionStatusChanged
            {
                At = at,
                Actor = actor,
                From = session.Status,
                To = to,
                Reason = reason,

                // A finished session's last word is its output, however it ended (a Terminate after an answer keeps
                // it), so the stream's session.completed says what the conversation's SessionCompleted says.
                Output = output ?? (SessionStatusMachine.IsTerminal(to) ? session.Output : null),
                Error = error,
            }
        );
    }

    private static RunState? RequireRun(SessionChange change, Guid runId)
    {
        if (change.Rejected)
        {
            return null;
        }

        if (change.State is { } s && s.Runs.TryGetValue(runId, out var run))
        {
            return run;
        }

        change.Reject(DomainError.NotFound("run", runId));
        return null;
    }
}

public sealed record StartSession(
    Guid SessionId,
    Guid RunId,
    Guid TenantId,
    TriggerType TriggerType,
    string TriggeredBy,
    Guid? TriggerId,
    string? TriggerName,
    StartContext Context,
    DateTimeOffset At
)
{
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public ForkOrigin? ForkedFrom { get; init; }
}

public sealed record StepDraft(
    StepPayload Payload,
    long TokensUsed = 0,
    string? Error = null,
    DateTimeOffset? StartedAt = null
);

public sealed record RunTransition(RunStatus To)
{
    public string? Reason { get; init; }
    public JsonElement? Output { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? WakeAt { get; init; }
    public TimeSpan? CompletedWait { get; init; }
    public string? CompletedBy { get; init; }
    public string? CompletionNote { get; init; }
}
