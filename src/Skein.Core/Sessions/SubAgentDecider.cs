using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Runs;
using Skein.Core.Steps;
using Skein.Core.UserTasks;

namespace Skein.Core.Sessions;

/// <summary>
/// Dispatching child runs (SPEC section 9). A dispatch is decided and committed (the parent's SubAgentCall step, which
/// fixes the child's run id) before the child starts; starting it is a separate decision that finds the id in that
/// step, so a crash between the two starts the same child once, and a child never starts twice.
/// </summary>
public static class SubAgentDecider
{
    public const string ToolPrefix = "subagent_";
    public const string MaxDepthExceeded = "max_depth_exceeded";
    public const string Cycle = "subagent_cycle";
    public const string ParentEnded = "parent run ended";

    public static string ToolName(string agentName) => ToolPrefix + agentName;

    /// <summary>
    /// Decides a model's call of a sub-agent tool: a SubAgentCall step (the child starts later, from it), or the call
    /// refused with a tool error (Sequential's second call in a turn, depth beyond the cap, a cycle). True when the
    /// run keeps advancing in the same change.
    /// </summary>
    public static void Dispatch(
        SessionChange change,
        Guid runId,
        RequestedToolCall call,
        SubAgentTarget target,
        SubAgentExecutionModel model,
        int maxDepth,
        DateTimeOffset at,
        string actor
    )
    {
        var session = change.Current;
        var run = session.Runs[runId];
        var turn = CallsOfTurn(run);
        string? refusal = null;
        if (model == SubAgentExecutionModel.Sequential && turn.Count > 0)
        {
            refusal =
                $"sequential sub-agents: at most one sub-agent call per model turn; {call.Name} was not dispatched "
                + $"(call it again after the first result)";
        }
        else if (run.Depth + 1 > maxDepth)
        {
            refusal =
                $"{MaxDepthExceeded}: a child of this run would be at depth {run.Depth + 1}, beyond the workspace's "
                + $"maxDepth ({maxDepth})";
        }
        else if (run.AgentId == target.AgentId || RunTree.Ancestors(session, run).Any(a => a.AgentId == target.AgentId))
        {
            refusal = $"{Cycle}: agent '{target.AgentName}' is already in this run's ancestor chain";
        }

        if (refusal is not null)
        {
            Refuse(change, runId, call, refusal, at, actor);
            return;
        }

        var input = call.Arguments.ValueKind == JsonValueKind.Object ? call.Arguments : SkeinJson.Element(new { });
        var group = model == SubAgentExecutionModel.Parallel && turn.Count > 0 ? turn[0].GroupId : Ids.New(at);
        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(
                new SubAgentCallStep(Ids.New(at), target.AgentId, target.AgentName, input, group, call.ToolCallId)
                {
                    Iteration = run.Iteration,
                }
            ),
            at,
            actor
        );
    }

    /// <summary>Starts the child a committed SubAgentCall names, with its agent's Deployed version (resolved by the
    /// caller); a child that already exists is left alone.</summary>
    public static void StartChild(
        SessionChange change,
        Guid parentRunId,
        SubAgentCallStep call,
        VersionSnapshot version,
        DateTimeOffset at,
        string actor
    )
    {
        if (change.Rejected || change.Current.Runs.ContainsKey(call.ChildRunId))
        {
            return;
        }

        var parent = change.Current.Runs[parentRunId];
        change.Emit(
            new RunStarted
            {
                At = at,
                Actor = actor,
                RunId = call.ChildRunId,
                ParentRunId = parentRunId,
                Depth = parent.Depth + 1,
                AgentId = version.AgentId,
                AgentVersionId = version.AgentVersionId,
                AgentName = version.AgentName,
                VersionLabel = version.VersionLabel,
                LlmModel = version.Model,
                Input = call.Input,
                Version = version,
            }
        );

        // The child's first model request needs nothing from outside: it commits with the start.
        SessionDecider.PrepareModelRequest(change, call.ChildRunId, 1, version, at, actor);
    }

    /// <summary>A dispatch whose child cannot start (no Deployed version, input the child refuses): the parent's
    /// model gets the failure as the result.</summary>
    public static void FailToStart(
        SessionChange change,
        Guid parentRunId,
        SubAgentCallStep call,
        string error,
        DateTimeOffset at,
        string actor
    )
    {
        if (change.Rejected || change.Current.Runs.ContainsKey(call.ChildRunId))
        {
            return;
        }

        SessionDecider.AppendStep(
            change,
            parentRunId,
            new StepDraft(
                new SubAgentResultStep(call.ChildRunId, nameof(RunStatus.Failed), null, error, 0, 0, call.ToolCallId)
                {
                    Iteration = change.Current.Runs[parentRunId].Iteration,
                },
                Error: error
            ),
            at,
            actor
        );
    }

    /// <summary>
    /// A run finished: its unfinished descendants end with it (deepest first, their pending tasks cancelled), and a
    /// child reports its outcome to its parent, which is not failed by it.
    /// </summary>
    internal static void OnRunFinished(SessionChange change, Guid runId, DateTimeOffset at, string actor)
    {
        var session = change.Current;
        var run = session.Runs[runId];
        var descendants = Descendants(session, runId).Where(r => !r.IsTerminal).OrderByDescending(r => r.Depth);
        foreach (var d in descendants.ToList())
        {
            var error = $"{ParentEnded}: {run.AgentName} run {run.Id} is {run.Status}";
            SessionDecider.MoveRun(
                change,
                d.Id,
                new RunTransition(RunStatus.Failed) { Error = error, Reason = error },
                at,
                actor,
                sessionFollows: false
            );
            CancelTasksOf(change, d.Id, error, at, actor);
        }

        CancelTasksOf(change, runId, $"run {run.Status}", at, actor);
        var finished = change.Current.Runs[runId];
        if (
            finished.ParentRunId is not { } parentId
            || change.Current.Runs.GetValueOrDefault(parentId) is not { IsTerminal: false } parent
            || RunTree.OutstandingCalls(parent).FirstOrDefault(c => c.ChildRunId == runId) is not { } call
        )
        {
            return;
        }

        var duration = (long)((finished.FinishedAt ?? at) - finished.StartedAt).TotalMilliseconds;
        SessionDecider.AppendStep(
            change,
            parentId,
            new StepDraft(
                new SubAgentResultStep(
                    runId,
                    finished.Status.ToString(),
                    finished.Output,
                    finished.Error,
                    finished.TotalTokensUsed,
                    duration,
                    call.ToolCallId
                )
                {
                    Iteration = parent.Iteration,
                },
                Error: finished.Status == RunStatus.Failed ? finished.Error : null
            ),
            at,
            actor,
            anyStatus: true
        );
    }

    /// <summary>A call refused before it ran: its ToolCall and the error result, in the same change.</summary>
    public static void Refuse(
        SessionChange change,
        Guid runId,
        RequestedToolCall call,
        string error,
        DateTimeOffset at,
        string actor
    )
    {
        var run = change.Current.Runs[runId];
        var step = new ToolCallStep(
            call.Name,
            call.Arguments,
            call.ToolCallId,
            call.Name,
            $"{runId:N}:{run.Steps.Count + 1}"
        )
        {
            Iteration = run.Iteration,
        };
        if (SessionDecider.AppendStep(change, runId, new StepDraft(step), at, actor) is null)
        {
            return;
        }

        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(
                new ToolResultStep(call.ToolCallId, ToolResultBody.Fail(error)) { Iteration = run.Iteration },
                Error: error
            ),
            at,
            actor
        );
    }

    /// <summary>A call that completed at once (the AITL tools): its ToolCall and result, in the same change.</summary>
    public static void Complete(
        SessionChange change,
        Guid runId,
        RequestedToolCall call,
        JsonElement data,
        DateTimeOffset at,
        string actor
    )
    {
        var run = change.Current.Runs[runId];
        var step = new ToolCallStep(
            call.Name,
            call.Arguments,
            call.ToolCallId,
            call.Name,
            $"{runId:N}:{run.Steps.Count + 1}"
        )
        {
            Iteration = run.Iteration,
        };
        if (SessionDecider.AppendStep(change, runId, new StepDraft(step), at, actor) is null)
        {
            return;
        }

        SessionDecider.AppendStep(
            change,
            runId,
            new StepDraft(new ToolResultStep(call.ToolCallId, ToolResultBody.Ok(data)) { Iteration = run.Iteration }),
            at,
            actor
        );
    }

    /// <summary>Every run below <paramref name="runId"/>.</summary>
    public static IEnumerable<RunState> Descendants(SessionState session, Guid runId)
    {
        foreach (var child in session.Runs.Values.Where(r => r.ParentRunId == runId))
        {
            yield return child;
            foreach (var below in Descendants(session, child.Id))
            {
                yield return below;
            }
        }
    }

    /// <summary>The dispatches of the run's latest model turn.</summary>
    private static List<SubAgentCallStep> CallsOfTurn(RunState run)
    {
        var calls = new List<SubAgentCallStep>();
        for (var i = run.Steps.Count - 1; i >= 0; i--)
        {
            switch (run.Steps[i].Payload)
            {
                case SubAgentCallStep call:
                    calls.Add(call);
                    break;
                case ReasoningStep:
                    calls.Reverse();
                    return calls;
            }
        }

        calls.Reverse();
        return calls;
    }

    private static void CancelTasksOf(SessionChange change, Guid runId, string reason, DateTimeOffset at, string actor)
    {
        var pending = change
            .Current.Tasks.Values.Where(t => t.RunId == runId && t.Status == UserTaskStatus.Pending)
            .ToList();
        foreach (var task in pending)
        {
            change.Emit(
                new UserTaskCancelled
                {
                    At = at,
                    Actor = actor,
                    TaskId = task.Id,
                    RunId = runId,
                    Reason = reason,
                }
            );
        }
    }
}

/// <summary>A sub-agent a parent may call: its agent and name (the tool is <c>subagent_&lt;name&gt;</c>).</summary>
public sealed record SubAgentTarget(Guid AgentId, string AgentName);
