using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Core.Runs;

/// <summary>
/// Reading a session's run tree (SPEC section 9): which version a run executes, its ancestors, the dispatches it
/// still waits for, the questions its children asked, and the session status the tree implies.
/// </summary>
public static class RunTree
{
    /// <summary>The version a run executes: a child's own frozen one, else the session's start context.</summary>
    public static VersionSnapshot VersionOf(SessionState session, RunState run) =>
        run.Version ?? session.StartContext.Version;

    /// <summary>The root's mode governs human input anywhere in the tree (approvals, reviews, escalation).</summary>
    public static ExecutionMode RootMode(SessionState session) => session.StartContext.Version.ExecutionMode;

    /// <summary>The chain from the root down to <paramref name="run"/>'s parent (root first).</summary>
    public static IReadOnlyList<RunState> Ancestors(SessionState session, RunState run)
    {
        var chain = new List<RunState>();
        var at = run;
        while (at.ParentRunId is { } parent && session.Runs.TryGetValue(parent, out var up))
        {
            chain.Add(up);
            at = up;
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>Guard rules in force for a run: its ancestors' first (root first), then its own.</summary>
    public static IReadOnlyList<Guards.GuardRule> GuardRules(SessionState session, RunState run)
    {
        var ancestors = Ancestors(session, run);
        if (ancestors.Count == 0)
        {
            return VersionOf(session, run).GuardRules;
        }

        return [.. ancestors.SelectMany(a => VersionOf(session, a).GuardRules), .. VersionOf(session, run).GuardRules];
    }

    /// <summary>The run's dispatches whose child has not reported back yet, in dispatch order.</summary>
    public static IReadOnlyList<SubAgentCallStep> OutstandingCalls(RunState run)
    {
        List<SubAgentCallStep>? calls = null;
        HashSet<Guid>? done = null;
        foreach (var step in run.Steps)
        {
            switch (step.Payload)
            {
                case SubAgentCallStep call:
                    (calls ??= []).Add(call);
                    break;
                case SubAgentResultStep result:
                    (done ??= []).Add(result.ChildRunId);
                    break;
            }
        }

        return calls is null ? []
            : done is null ? calls
            : [.. calls.Where(c => !done.Contains(c.ChildRunId))];
    }

    /// <summary>Questions children asked this run that are neither answered nor moot (their child
    /// ended).</summary>
    public static IReadOnlyList<AitlReceivedStep> PendingQuestions(RunState run, SessionState? session)
    {
        List<AitlReceivedStep>? asked = null;
        HashSet<Guid>? resolved = null;
        foreach (var step in run.Steps)
        {
            switch (step.Payload)
            {
                case AitlReceivedStep received:
                    (asked ??= []).Add(received);
                    break;
                case AitlResolvedStep done:
                    (resolved ??= []).Add(done.RequestId);
                    break;
            }
        }

        if (asked is null)
        {
            return [];
        }

        return
        [
            .. asked.Where(a =>
                resolved?.Contains(a.RequestId) != true
                && session?.Runs.GetValueOrDefault(a.ChildRunId) is not { IsTerminal: true }
            ),
        ];
    }

    /// <summary>
    /// Which outstanding dispatches start now. Calls of one turn to the same sub-agent run together; different
    /// sub-agents run one after another, in the order the model first named them: the batch is the first of those
    /// agents with a call still outstanding, and only its calls without a child yet start.
    /// </summary>
    public static IReadOnlyList<SubAgentCallStep> ChildrenToStart(
        RunState run,
        IReadOnlyList<SubAgentCallStep> outstanding,
        SessionState session
    )
    {
        if (outstanding.Count == 0)
        {
            return [];
        }

        var group = outstanding[0].GroupId;
        var agents = run
            .Steps.Select(s => s.Payload)
            .OfType<SubAgentCallStep>()
            .Where(c => c.GroupId == group)
            .Select(c => c.AgentId)
            .Distinct();
        foreach (var agent in agents)
        {
            var batch = outstanding.Where(c => c.GroupId == group && c.AgentId == agent).ToList();
            if (batch.Count > 0)
            {
                return [.. batch.Where(c => !session.Runs.ContainsKey(c.ChildRunId))];
            }
        }

        return [];
    }

    /// <summary>
    /// The session status the tree implies while the root has not finished: a person being needed anywhere wins, then
    /// work in progress, then the other waits. A parent that only waits for its children does not count.
    /// </summary>
    public static SessionStatus SessionStatusOf(SessionState session)
    {
        var root = session.RootRun;
        if (root.IsTerminal)
        {
            return RunStatusMachine.ToSessionStatus(root.Status);
        }

        var seen = new HashSet<RunStatus>();
        foreach (var run in session.Runs.Values)
        {
            if (run.IsTerminal || (run.Status == RunStatus.Running && RunPlanner.IsParked(run, session)))
            {
                continue;
            }

            seen.Add(run.Status);
        }

        RunStatus[] precedence =
        [
            RunStatus.WaitingForHITL,
            RunStatus.Running,
            RunStatus.WaitingForAITL,
            RunStatus.WaitingForTimer,
            RunStatus.WaitingForResponse,
        ];
        foreach (var status in precedence)
        {
            if (seen.Contains(status))
            {
                return RunStatusMachine.ToSessionStatus(status);
            }
        }

        return SessionStatus.Running;
    }

    /// <summary>The non-terminal children of a run.</summary>
    public static IEnumerable<RunState> ActiveChildren(SessionState session, Guid runId) =>
        session.Runs.Values.Where(r => r.ParentRunId == runId && !r.IsTerminal);
}
