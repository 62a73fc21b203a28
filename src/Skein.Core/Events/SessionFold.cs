using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Events;

/// <summary>
/// The pure fold from events to state. The store replays it to load a session and applies it to build
/// the projection rows, so the rows and a replay can never disagree.
/// </summary>
public static class SessionFold
{
    public static SessionState Replay(IEnumerable<SessionEvent> events)
    {
        SessionState? state = null;
        foreach (var e in events)
        {
            state = Apply(state, e);
        }

        return state ?? throw new InvalidOperationException("a session stream starts with session.started");
    }

    public static SessionState Apply(SessionState? state, SessionEvent e)
    {
        if (e is SessionStarted started)
        {
            if (state is not null)
            {
                throw new InvalidOperationException("session.started must be the first event of a stream");
            }

            var version = started.StartContext.Version;
            return new SessionState
            {
                Id = started.SessionId,
                TenantId = started.TenantId,
                AgentId = version.AgentId,
                AgentVersionId = version.AgentVersionId,
                LlmModel = version.Model,
                TriggerType = started.TriggerType,
                TriggeredBy = started.TriggeredBy,
                TriggerId = started.TriggerId,
                TriggerName = started.TriggerName,
                Status = SessionStatus.Running,
                Input = started.Input,
                StartContext = started.StartContext,
                RootRunId = started.RootRunId,
                Tags = started.Tags,
                ForkedFrom = started.ForkedFrom,
                EntryRunId = started.RootRunId,
                StartedAt = started.At,
                RunningSince = started.At,
                Version = 1,
            };
        }

        if (state is null)
        {
            throw new InvalidOperationException($"{e.TypeName} cannot start a session stream");
        }

        var next = e switch
        {
            RunStarted r => state with { Runs = state.Runs.Add(r.RunId, NewRun(state, r)) },
            StepAppended s => ApplyStep(state, s.Step),
            RunStatusChanged c => ApplyRunStatus(state, c),
            SessionStatusChanged c => ApplySessionStatus(state, c),
            UserTaskCreated t => state with { Tasks = state.Tasks.Add(t.Task.Id, t.Task) },
            UserTaskAnswered a => state with
            {
                Tasks = state.Tasks.SetItem(
                    a.TaskId,
                    state.Tasks[a.TaskId] with
                    {
                        Status = UserTasks.UserTaskStatus.Completed,
                        Outcome = a.Outcome,
                    }
                ),
            },
            UserTaskCancelled x => state with
            {
                Tasks = state.Tasks.SetItem(
                    x.TaskId,
                    state.Tasks[x.TaskId] with
                    {
                        Status = UserTasks.UserTaskStatus.Cancelled,
                        CancelReason = x.Reason,
                    }
                ),
            },
            _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
        };
        return next with { Version = state.Version + 1 };
    }

    private static RunState NewRun(SessionState session, RunStarted r) =>
        new()
        {
            Id = r.RunId,
            SessionId = session.Id,
            AgentId = r.AgentId,
            AgentVersionId = r.AgentVersionId,
            ParentRunId = r.ParentRunId,
            Depth = r.Depth,
            Status = RunStatus.Running,
            Input = r.Input,
            StartedAt = r.At,
            AgentName = r.AgentName,
            VersionLabel = r.VersionLabel,
            LlmModel = r.LlmModel,
            Version = r.Version,
        };

    private static SessionState ApplyStep(SessionState state, StepRecord step)
    {
        var run = state.Runs[step.RunId];
        var cost = ModelCallDiscardedStep.CostOf(step.Payload);
        var updated = run with
        {
            Steps = run.Steps.Add(step),
            TotalTokensUsed = run.TotalTokensUsed + step.TokensUsed,
            TotalCostUsd = run.TotalCostUsd + cost,
            Iteration = step.Payload is LlmRequestPrepared ? step.Payload.Iteration : run.Iteration,
            ToolCallCount = run.ToolCallCount + (step.Payload is ToolCallStep ? 1 : 0),
        };
        return state with
        {
            Runs = state.Runs.SetItem(run.Id, updated),
            TotalTokensUsed = state.TotalTokensUsed + step.TokensUsed,
            TotalCostUsd = state.TotalCostUsd + cost,
        };
    }

    private static SessionState ApplyRunStatus(SessionState state, RunStatusChanged c)
    {
        var run = state.Runs[c.RunId];
        var terminal = RunStatusMachine.IsTerminal(c.To);
        var updated = run with
        {
            Status = c.To,
            Output = c.Output ?? run.Output,
            Error = c.Error ?? run.Error,
            WakeAt = c.WakeAt,
            FinishedAt = terminal ? c.At : null,
            CompletedBy = c.CompletedBy ?? run.CompletedBy,
            CompletionNote = c.CompletionNote ?? run.CompletionNote,
        };
        return state with
        {
            Runs = state.Runs.SetItem(run.Id, updated),
            CompletedWait = state.CompletedWait + (c.CompletedWait ?? TimeSpan.Zero),
        };
    }

    private static SessionState ApplySessionStatus(SessionState state, SessionStatusChanged c)
    {
        var leavingRunning = state.Status == SessionStatus.Running && c.To != SessionStatus.Running;
        var enteringRunning = state.Status != SessionStatus.Running && c.To == SessionStatus.Running;
        return state with
        {
            Status = c.To,
            Output = c.Output ?? state.Output,
            Error = c.Error ?? state.Error,
            FinishedAt = SessionStatusMachine.IsTerminal(c.To) ? c.At : null,
            ActiveTime =
                leavingRunning && state.RunningSince is { } since
                    ? state.ActiveTime + (c.At - since)
                    : state.ActiveTime,
            RunningSince =
                enteringRunning ? c.At
                : leavingRunning ? null
                : state.RunningSince,
        };
    }
}
