using Skein.Core;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Engine.Runs;
using Skein.Store.Sessions;

namespace Skein.Engine.Sessions;

/// <summary>Everything that acts on a session from outside its run loop: operators, users, timers.</summary>
public sealed class SessionActions(SessionCommands commands, SessionQueries queries, RunDispatcher dispatcher, TimeProvider time)
{
    public const string TimerActor = "timer";

    public async Task<CommandResult> TerminateAsync(Guid sessionId, string actor, CancellationToken cancellationToken)
    {
        var result = await commands.ExecuteAsync(sessionId, c => SessionDecider.Terminate(c, time.GetUtcNow(), actor), cancellationToken);
        if (result.Ok)
        {
            dispatcher.CancelSession(sessionId);
        }

        return result;
    }

    public Task<CommandResult> MarkCompleteAsync(Guid sessionId, string actor, CancellationToken cancellationToken) =>
        commands.ExecuteAsync(sessionId, c => SessionDecider.MarkComplete(c, time.GetUtcNow(), actor), cancellationToken);

    public Task<CommandResult> SendMessageAsync(Guid runId, string text, string actor, CancellationToken cancellationToken) =>
        OnRunAsync(runId, c => SessionDeciderInputs.ReceiveMessage(c, runId, text, time.GetUtcNow(), actor), cancellationToken);

    public Task<CommandResult> SkipWaitAsync(Guid runId, string actor, CancellationToken cancellationToken) =>
        OnRunAsync(runId, c => SessionDeciderInputs.CompleteWait(c, runId, time.GetUtcNow(), actor, skipped: true), cancellationToken);

    /// <summary>A due timer: end the phrony_wait, or complete a conversation that went idle.</summary>
    public Task<CommandResult> WakeAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken) =>
        RunThenDispatchAsync(sessionId, runId, c =>
        {
            var now = time.GetUtcNow();
            if (c.State?.Runs.GetValueOrDefault(runId)?.Status == RunStatus.WaitingForResponse)
            {
                SessionDeciderInputs.ExpireIdle(c, runId, now, TimerActor);
            }
            else
            {
                SessionDeciderInputs.CompleteWait(c, runId, now, TimerActor, skipped: false);
            }
        }, cancellationToken);

    private async Task<CommandResult> OnRunAsync(Guid runId, Action<SessionChange> decide, CancellationToken cancellationToken)
    {
        var sessionId = await queries.SessionOfRunAsync(runId, cancellationToken);
        return sessionId is { } id
            ? await RunThenDispatchAsync(id, runId, decide, cancellationToken)
            : new CommandResult(null, DomainError.NotFound("run", runId), []);
    }

    private async Task<CommandResult> RunThenDispatchAsync(Guid sessionId, Guid runId, Action<SessionChange> decide, CancellationToken cancellationToken)
    {
        var result = await commands.ExecuteAsync(sessionId, decide, cancellationToken);
        if (result.Ok && result.State?.Runs.GetValueOrDefault(runId)?.Status == RunStatus.Running)
        {
            dispatcher.Dispatch(sessionId, runId);
        }

        return result;
    }
}
