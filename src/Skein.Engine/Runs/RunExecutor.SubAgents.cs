using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;

namespace Skein.Engine.Runs;

public sealed partial class RunExecutor
{
    /// <summary>Sub-agent dispatch and agent-in-the-loop (SPEC section 9).</summary>
    private sealed partial class RunScope
    {
        /// <summary>
        /// Decides a call of a sub-agent or AITL tool inside <paramref name="c"/> (pure, like every tool decision):
        /// null when <paramref name="call"/> is an ordinary tool; else whether the run keeps advancing in the change.
        /// </summary>
        private bool? DecideTreeCall(SessionChange c, RequestedToolCall call)
        {
            var run = c.Current.Runs[_runId];
            if (_subAgents.TryGetValue(call.Name, out var sub))
            {
                SubAgentDecider.Dispatch(
                    c,
                    _runId,
                    call,
                    sub.Target,
                    _version.SubAgentExecutionModel,
                    _plan.MaxDepth,
                    Now,
                    EngineActor
                );
            }
            else if (call.Name == AitlDecider.AskParent && run.Depth > 0)
            {
                AitlDecider.Ask(c, _runId, call, Now, EngineActor);
            }
            else if (call.Name == AitlDecider.AnswerTool && _subAgents.Count > 0)
            {
                AitlDecider.Answer(c, _runId, call, Now, EngineActor);
            }
            else if (call.Name == AitlDecider.EscalateTool && _subAgents.Count > 0)
            {
                AitlDecider.Escalate(c, _runId, call, Now, EngineActor);
            }
            else
            {
                return null;
            }

            return !c.Rejected && c.Current.Runs[_runId].Status == RunStatus.Running;
        }

        /// <summary>
        /// Starts the children whose dispatch is committed: each runs its agent's Deployed version, resolved now, with
        /// the id its SubAgentCall step fixed (a child that already exists is never started again). A child that
        /// cannot start reports the failure to this run's model instead.
        /// </summary>
        private async Task<bool> StartChildrenAsync(
            IReadOnlyList<SubAgentCallStep> calls,
            CancellationToken cancellationToken
        )
        {
            var versions = new Dictionary<Guid, VersionSnapshot>();
            var failures = new Dictionary<Guid, string>();
            foreach (var call in calls)
            {
                try
                {
                    var resolved = await _x.catalog.ResolveAsync(call.AgentId, null, cancellationToken);
                    await _x.inputs.ValidateAsync(resolved.Snapshot, call.Input);
                    versions[call.ChildRunId] = resolved.Snapshot;
                }
                catch (DomainException ex)
                {
                    failures[call.ChildRunId] = $"sub-agent {call.AgentName} could not start: {ex.Error.Message}";
                }
            }

            return await DecideAsync(
                c =>
                {
                    foreach (var call in calls)
                    {
                        if (versions.TryGetValue(call.ChildRunId, out var version))
                        {
                            SubAgentDecider.StartChild(c, _runId, call, version, Now, EngineActor);
                        }
                        else
                        {
                            SubAgentDecider.FailToStart(c, _runId, call, failures[call.ChildRunId], Now, EngineActor);
                        }
                    }

                    if (!c.Rejected && c.Current.Runs[_runId] is { Status: RunStatus.Running } after)
                    {
                        // A failed start may complete the batch: the next step is then pure (the next batch's start
                        // is not, so it waits for this commit).
                        if (RunPlanner.Next(after, c.Current) is NextAction.PrepareModelRequest)
                        {
                            Advance(c);
                        }
                    }
                },
                cancellationToken
            );
        }
    }
}
