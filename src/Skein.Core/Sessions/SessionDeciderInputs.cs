using Skein.Core.Runs;
using Skein.Core.Steps;

namespace Skein.Core.Sessions;

/// <summary>Decisions on what arrives from outside a running turn: timers, user messages, idle expiry.</summary>
public static class SessionDeciderInputs
{
    public const string ConversationIdleTimeout = "conversation idle timeout";

    /// <summary>
    /// A phrony_wait ends (due, or skipped): the run resumes and the wait's ToolResult is recorded. Only
    /// the time actually waited counts against the wait budget.
    /// </summary>
    public static void CompleteWait(SessionChange change, Guid runId, DateTimeOffset at, string actor, bool skipped)
    {
        if (change.State?.Runs.GetValueOrDefault(runId) is not { } run)
        {
            change.Reject(DomainError.NotFound("run", runId));
            return;
        }

        if (
            run.Status != RunStatus.WaitingForTimer
            || run.Steps.LastOrDefault() is not { Payload: ToolCallStep call } callStep
        )
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.IllegalTransition,
                    $"run is {run.Status}; only a run in WaitingForTimer has a wait to end"
                )
            );
            return;
        }

        if (!skipped && run.WakeAt is { } wake && wake > at)
        {
            change.Reject(new DomainError(DomainErrorCodes.Conflict, "the wait is not due yet"));
            return;
        }

        var waited = at > callStep.FinishedAt ? at - callStep.FinishedAt : TimeSpan.Zero;
        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.Running)
            {
                Reason = skipped ? "wait skipped" : "wait completed",
                CompletedWait = waited,
            },
            at,
            actor
        );
        var data = SkeinJson.Element(new { waited_seconds = Math.Round(waited.TotalSeconds, 3), skipped });
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(new ToolResultStep(call.ToolCallId, ToolResultBody.Ok(data)) { Iteration = call.Iteration }),
            at,
            actor
        );
    }

    /// <summary>A follow-up user message resumes a conversational run that waits for it.</summary>
    public static void ReceiveMessage(SessionChange change, Guid runId, string text, DateTimeOffset at, string actor)
    {
        if (change.State?.Runs.GetValueOrDefault(runId) is not { } run)
        {
            change.Reject(DomainError.NotFound("run", runId));
            return;
        }

        if (run.Status == RunStatus.Running && change.State is { } session)
        {
            ReceiveWhileRunning(change, session, run, text, at, actor);
            return;
        }

        if (run.Status != RunStatus.WaitingForResponse)
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.IllegalTransition,
                    $"run is {run.Status}; a message continues only a run in WaitingForResponse"
                )
            );
            return;
        }

        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.Running) { Reason = "user message" },
            at,
            actor
        );
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(new UserMessageStep(text) { Iteration = run.Iteration }),
            at,
            actor
        );
    }

    /// <summary>
    /// A message to a run at work, by its version's <c>midRunMessages</c> (SPEC section 12): queued for the next model
    /// turn; with <c>interrupt</c> while the model is asked, a message that starts a new turn at once (the call in
    /// flight is then discarded); refused with <c>reject</c>.
    /// </summary>
    private static void ReceiveWhileRunning(
        SessionChange change,
        SessionState session,
        RunState run,
        string text,
        DateTimeOffset at,
        string actor
    )
    {
        var policy = RunTree.VersionOf(session, run).MidRunMessages;
        if (policy == Agents.MidRunMessages.Reject)
        {
            change.Reject(
                new DomainError(
                    DomainErrorCodes.IllegalTransition,
                    "run is Running and its version rejects messages while it works (midRunMessages: reject)"
                )
            );
            return;
        }

        var interrupts =
            policy == Agents.MidRunMessages.Interrupt && RunPlanner.Next(run, session) is NextAction.CallModel;
        SessionDecider.AppendStep(
            change,
            run.Id,
            new StepDraft(new UserMessageStep(text) { Iteration = run.Iteration, Queued = !interrupts }),
            at,
            actor
        );
    }

    /// <summary>What a committed message did to a run that was at work: null when it was not at work (the message
    /// resumed a waiting run); else whether it interrupts the model call in flight.</summary>
    public static MidRunDelivery? MidRun(IEnumerable<Events.SessionEvent> events, Guid runId)
    {
        MidRunDelivery? delivery = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case Events.RunStatusChanged moved when moved.RunId == runId:
                    return null;
                case Events.StepAppended { Step.Payload: UserMessageStep message } s when s.Step.RunId == runId:
                    delivery = new MidRunDelivery(Interrupts: !message.Queued);
                    break;
            }
        }

        return delivery;
    }

    /// <summary>A conversational run that got no message before its idle deadline completes.</summary>
    public static void ExpireIdle(SessionChange change, Guid runId, DateTimeOffset at, string actor)
    {
        if (
            change.State?.Runs.GetValueOrDefault(runId)
                is not { Status: RunStatus.WaitingForResponse, WakeAt: { } deadline }
            || deadline > at
        )
        {
            change.Reject(new DomainError(DomainErrorCodes.Conflict, "the run is not idle past its deadline"));
            return;
        }

        SessionDecider.MoveRun(
            change,
            runId,
            new RunTransition(RunStatus.Completed) { Reason = ConversationIdleTimeout },
            at,
            actor
        );
    }
}

/// <summary>A message taken while its run worked: queued for the next turn, or interrupting the model call.</summary>
public sealed record MidRunDelivery(bool Interrupts);
