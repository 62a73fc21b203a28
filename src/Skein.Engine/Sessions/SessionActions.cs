using Skein.Core;
using Skein.Core.Limits;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.UserTasks;
using Skein.Engine.Runs;
using Skein.Store.Audit;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Engine.Sessions;

/// <summary>Everything that acts on a session from outside its run loop: operators, users, timers. Each action
/// of an operator, user or API key is recorded in the audit log with its outcome (timers' are not).</summary>
public sealed class SessionActions(
    SessionCommands commands,
    SessionQueries queries,
    UserTaskQueries tasks,
    RunDispatcher dispatcher,
    RunExecutor executor,
    ModelCallInterrupts interrupts,
    TimeProvider time,
    AuditLog audit
)
{
    public static readonly string TimerActor = Actor.Timer.Value;

    public async Task<CommandResult> TerminateAsync(Guid sessionId, string actor, CancellationToken cancellationToken)
    {
        var result = await TerminateUnauditedAsync(sessionId, actor, cancellationToken);
        return await AuditAsync(actor, "session.terminated", "session", sessionId, "", result);
    }

    public async Task<CommandResult> MarkCompleteAsync(
        Guid sessionId,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var result = await MarkCompleteUnauditedAsync(sessionId, actor, cancellationToken);
        return await AuditAsync(actor, "session.marked_complete", "session", sessionId, "", result);
    }

    /// <summary>
    /// Terminate or Mark complete one session of a bulk action, as <see cref="TerminateAsync"/> and
    /// <see cref="MarkCompleteAsync"/> do, but returning its audit entry instead of writing it: the bulk action
    /// records its items' entries together, after their commits.
    /// </summary>
    public async Task<(CommandResult Result, AuditEntry? Audit)> BulkItemAsync(
        BulkAction action,
        Guid sessionId,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var (result, name) = action switch
        {
            BulkAction.Terminate => (
                await TerminateUnauditedAsync(sessionId, actor, cancellationToken),
                "session.terminated"
            ),
            _ => (await MarkCompleteUnauditedAsync(sessionId, actor, cancellationToken), "session.marked_complete"),
        };
        return (result, Audited(actor, name, "session", sessionId, "", result));
    }

    private async Task<CommandResult> TerminateUnauditedAsync(
        Guid sessionId,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var result = await commands.ExecuteAsync(
            sessionId,
            c => SessionDecider.Terminate(c, time.GetUtcNow(), actor),
            cancellationToken
        );
        if (result.Ok)
        {
            dispatcher.CancelSession(sessionId);
        }

        return result;
    }

    private async Task<CommandResult> MarkCompleteUnauditedAsync(
        Guid sessionId,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var result = await commands.ExecuteAsync(
            sessionId,
            c => SessionDecider.MarkComplete(c, time.GetUtcNow(), actor),
            cancellationToken
        );
        if (result.Ok)
        {
            // A tree may still have a child at work (the session waits on another one): it stops now.
            dispatcher.CancelSession(sessionId);
        }

        return result;
    }

    /// <summary>
    /// A user message: it resumes a run waiting for one, or reaches a run at work by its version's
    /// <c>midRunMessages</c> (SPEC section 12); an interrupting one cancels the model call in flight on this node.
    /// </summary>
    public async Task<CommandResult> SendMessageAsync(
        Guid runId,
        string text,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var result = await OnRunAsync(
            runId,
            c => SessionDeciderInputs.ReceiveMessage(c, runId, text, time.GetUtcNow(), actor),
            cancellationToken
        );
        if (result.Ok && SessionDeciderInputs.MidRun(result.Events, runId) is { Interrupts: true })
        {
            interrupts.Interrupt(runId);
        }

        return await AuditAsync(actor, "run.message_sent", "run", runId, "", result);
    }

    public async Task<CommandResult> SkipWaitAsync(Guid runId, string actor, CancellationToken cancellationToken) =>
        await AuditAsync(
            actor,
            "run.wait_skipped",
            "run",
            runId,
            "",
            await OnRunAsync(
                runId,
                c => SessionDeciderInputs.CompleteWait(c, runId, time.GetUtcNow(), actor, skipped: true),
                cancellationToken
            )
        );

    /// <summary>
    /// Answers a user task. Exactly one answer wins: answers are decided one at a time per session and a
    /// task that is no longer Pending refuses the rest (409). With <paramref name="runId"/>, the task must
    /// belong to that run (else 404, as for an unknown task).
    /// </summary>
    public Task<CommandResult> AnswerTaskAsync(
        Guid taskId,
        Guid? runId,
        UserTaskAnswer answer,
        string actor,
        CancellationToken cancellationToken
    ) => AnswerTaskAsync(taskId, runId, answer, actor, AnswerPolicy.Operator, cancellationToken);

    /// <summary>Answers a user task as <see cref="AnswerTaskAsync(Guid, Guid?, UserTaskAnswer, string,
    /// CancellationToken)"/> does, after <paramref name="policy"/> allowed this caller to answer its kind.</summary>
    public async Task<CommandResult> AnswerTaskAsync(
        Guid taskId,
        Guid? runId,
        UserTaskAnswer answer,
        string actor,
        AnswerPolicy policy,
        CancellationToken cancellationToken
    )
    {
        var task = await tasks.GetAsync(taskId, cancellationToken);
        if (task is null || (runId is { } expected && task.RunId != expected))
        {
            return new CommandResult(null, DomainError.NotFound("user task", taskId), []);
        }

        var action = answer.Approved switch
        {
            true => "user_task.approved",
            false => "user_task.rejected",
            null => "user_task.answered",
        };
        if (policy.Refuses(task.Kind) is { } refused)
        {
            return await AuditAsync(actor, action, "user_task", taskId, "", new CommandResult(null, refused, []));
        }

        answer = policy.Complete(task.Kind, answer);

        var result = await RunThenDispatchAsync(
            task.SessionId,
            task.RunId,
            c => UserTaskDecider.Answer(c, taskId, answer, time.GetUtcNow(), actor),
            cancellationToken
        );
        return await AuditAsync(actor, action, "user_task", taskId, answer.Comment ?? "", result);
    }

    /// <summary>Records an outside actor's action with its outcome. After the action's own commit, and not
    /// cancelled with the request: an action that happened is always in the log.</summary>
    private async Task<CommandResult> AuditAsync(
        string actor,
        string action,
        string subjectType,
        Guid subjectId,
        string note,
        CommandResult result
    )
    {
        if (Audited(actor, action, subjectType, subjectId, note, result) is { } entry)
        {
            await audit.AppendManyAsync([entry], CancellationToken.None);
        }

        return result;
    }

    /// <summary>The audit entry of an action with its outcome; none for the timer's and the engine's own.</summary>
    private static AuditEntry? Audited(
        string actor,
        string action,
        string subjectType,
        Guid subjectId,
        string note,
        CommandResult result
    )
    {
        if (actor == TimerActor || actor == Actor.Engine.Value)
        {
            return null;
        }

        var (outcome, detail) = result.Error is { } error
            ? (AuditOutcomes.Failed, error.Message)
            : (AuditOutcomes.Succeeded, note);
        return new AuditEntry(actor, action, subjectType, subjectId, outcome, detail);
    }

    /// <summary>An approval nobody answered in time resolves by its default.</summary>
    public async Task<CommandResult> TimeOutTaskAsync(Guid sessionId, Guid taskId, CancellationToken cancellationToken)
    {
        var task = await tasks.GetAsync(taskId, cancellationToken);
        return task is null
            ? new CommandResult(null, DomainError.NotFound("user task", taskId), [])
            : await RunThenDispatchAsync(
                sessionId,
                task.RunId,
                c => UserTaskDecider.TimeOut(c, taskId, time.GetUtcNow()),
                cancellationToken
            );
    }

    /// <summary>
    /// A session past its durable deadline (<see cref="SessionDeadline"/>): its root run fails with the limit's error,
    /// which ends the tree, cancels pending tasks and fails the session; work in flight on this node is cancelled.
    /// Nothing when it finished meanwhile or is within its limits after all.
    /// </summary>
    public async Task<CommandResult> ExpireAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var failed = false;
        var result = await commands.ExecuteAsync(
            sessionId,
            c =>
            {
                failed = false;
                if (c.State is { } s && SessionDeadline.Exceeded(s, time.GetUtcNow()) is { } exceeded)
                {
                    SessionDecider.FailRun(c, s.RootRunId, exceeded, time.GetUtcNow(), TimerActor);
                    failed = true;
                }
                else
                {
                    // Finished meanwhile, or within its limits after all: nothing to append.
                    c.Reject(DomainError.Conflict("the session is within its time limits"));
                }
            },
            cancellationToken
        );
        if (result.Ok && failed)
        {
            dispatcher.CancelSession(sessionId);
        }

        return result;
    }

    /// <summary>A due timer: end the phrony_wait or a provider back-off, or complete a conversation that went
    /// idle.</summary>
    public Task<CommandResult> WakeAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken) =>
        RunThenDispatchAsync(
            sessionId,
            runId,
            c =>
            {
                var now = time.GetUtcNow();
                var run = c.State?.Runs.GetValueOrDefault(runId);
                if (run?.Status == RunStatus.WaitingForResponse)
                {
                    SessionDeciderInputs.ExpireIdle(c, runId, now, TimerActor);
                }
                else if (run is not null && ProviderBackoff.IsBackingOff(run))
                {
                    ProviderBackoff.Resume(c, runId, now, TimerActor);
                }
                else
                {
                    SessionDeciderInputs.CompleteWait(c, runId, now, TimerActor, skipped: false);
                }
            },
            cancellationToken
        );

    private async Task<CommandResult> OnRunAsync(
        Guid runId,
        Action<SessionChange> decide,
        CancellationToken cancellationToken
    )
    {
        var sessionId = await queries.SessionOfRunAsync(runId, cancellationToken);
        return sessionId is { } id
            ? await RunThenDispatchAsync(id, runId, decide, cancellationToken)
            : new CommandResult(null, DomainError.NotFound("run", runId), []);
    }

    private async Task<CommandResult> RunThenDispatchAsync(
        Guid sessionId,
        Guid runId,
        Action<SessionChange> decide,
        CancellationToken cancellationToken
    )
    {
        var result = await commands.ExecuteAsync(sessionId, decide, cancellationToken);
        if (result.Ok && result.State?.Runs.GetValueOrDefault(runId)?.Status == RunStatus.Running)
        {
            dispatcher.Dispatch(sessionId, runId);
        }

        if (result.Ok)
        {
            // An answer can resume other runs of the tree too (an escalated question's child).
            executor.DispatchTouched(result, runId);
        }

        return result;
    }
}
