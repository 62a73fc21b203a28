using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Core.Limits;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.Tools;
using Skein.Core.UserTasks;
using Skein.Engine.Tools;

namespace Skein.Engine.Runs;

public sealed partial class RunExecutor
{
    /// <summary>Tool calls: guard rules, approvals and reviews, execution, and interrupted calls.</summary>
    private sealed partial class RunScope
    {
        private async Task<bool> StartToolAsync(RunState run, RequestedToolCall call, CancellationToken cancellationToken)
        {
            if (LimitRules.CheckToolCall(run, Limits) is { } exceeded)
            {
                return await FailAsync(exceeded, cancellationToken);
            }

            var tool = _tools.GetValueOrDefault(call.Name);
            var state = await _x.commands.GetAsync(_sessionId, cancellationToken);
            if (state is null)
            {
                return false;
            }

            // Guard rules first: they may end the session, refuse the call, or hold it for review.
            GuardDecision? guard = _version.GuardRules.Count > 0 ? GuardEvaluator.Evaluate(_version.GuardRules, Attempt(state, call)) : null;
            ToolResultBody? refused = null;
            string? terminate = null;
            switch (guard)
            {
                case { Outcome: GuardAction.TerminateSession, Applied: { } rule }:
                    terminate = ToolPolicy.TerminatedByGuard(rule.RuleId, rule.Reason);
                    refused = ToolResultBody.Fail(terminate);
                    break;
                case { Outcome: GuardAction.Block, Applied: { } rule }:
                    refused = ToolResultBody.Fail(ToolPolicy.BlockedByGuard(rule.RuleId, rule.Reason));
                    break;
                case { Outcome: GuardAction.Pause, Applied: { } rule } when _version.ExecutionMode == ExecutionMode.Request:
                    // A pause needs a person; Request agents cannot save such rules, so refuse rather than run.
                    refused = ToolResultBody.Fail(ToolPolicy.BlockedByGuard(rule.RuleId, rule.Reason));
                    break;
                case { Outcome: GuardAction.Pause, Applied: { } rule }:
                    switch (Review(state, call, UserTaskKinds.AnomalyReview, out refused))
                    {
                        case ReviewState.Unasked:
                            return await AskAsync(UserTaskKinds.AnomalyReview, $"Guard rule '{rule.RuleId}' paused {call.Name}: {rule.Reason}", tool, call, guard, run.Iteration, null, cancellationToken);
                        case ReviewState.Cancelled:
                            return false;
                    }

                    break;
            }

            if (refused is null && tool is { RequiresApproval: true } && _version.ExecutionMode != ExecutionMode.Request)
            {
                switch (Review(state, call, UserTaskKinds.Approval, out refused))
                {
                    case ReviewState.Unasked:
                        var timeoutAt = tool.ApprovalTimeout is { } timeout ? Now + timeout : (DateTimeOffset?)null;
                        return await AskAsync(UserTaskKinds.Approval, $"Approve {call.Name}?", tool, call, guard, run.Iteration, timeoutAt, cancellationToken);
                    case ReviewState.Cancelled:
                        return false;
                }
            }

            ToolCallStep? recorded = null;
            var ok = await DecideAsync(c =>
            {
                var sequence = c.Current.Runs[_runId].Steps.Count + 1;
                var step = new ToolCallStep(call.Name, call.Arguments, call.ToolCallId, tool?.Name ?? call.Name, $"{_runId:N}:{sequence}") { Iteration = run.Iteration, Guard = guard };
                if (SessionDecider.AppendStep(c, _runId, new StepDraft(step), Now, EngineActor) is null)
                {
                    return;
                }

                recorded = step;

                // A rejected call is recorded with its refusal in the same commit: it never executes.
                if (refused is not null)
                {
                    SessionDecider.AppendStep(c, _runId, new StepDraft(new ToolResultStep(call.ToolCallId, refused) { Iteration = run.Iteration }, Error: refused.Error), Now, EngineActor);
                }

                if (terminate is not null)
                {
                    SessionDecider.FailRun(c, _runId, terminate, Now, EngineActor);
                }
            }, cancellationToken);

            return ok && recorded is not null && (refused is not null || await ExecuteToolAsync(tool, recorded, cancellationToken));
        }

        /// <summary>Where a person's review of this call stands; a rejection comes back as the refusal to record.</summary>
        private ReviewState Review(SessionState state, RequestedToolCall call, string kind, out ToolResultBody? refusal)
        {
            refusal = null;
            switch (UserTaskDecider.DecisionFor(state, _runId, call.ToolCallId, kind))
            {
                case null:
                    return ReviewState.Unasked;
                case { Status: UserTaskStatus.Completed, Outcome.Approved: true }:
                    return ReviewState.Approved;
                case { Status: UserTaskStatus.Completed, Outcome: { } rejected }:
                    refusal = ToolResultBody.Fail(ToolPolicy.Rejected(rejected.By, rejected.Comment));
                    return ReviewState.Rejected;
                default:
                    return ReviewState.Cancelled;
            }
        }

        /// <summary>Earlier attempts of the same tool in this run and across the session (the current one excluded).</summary>
        private ToolAttempt Attempt(SessionState state, RequestedToolCall call)
        {
            static int Count(RunState r, string name) => r.Steps.Count(s => s.Payload is ToolCallStep c && c.Name == name);
            return new ToolAttempt(call.Name, call.Arguments, Count(state.Runs[_runId], call.Name), state.Runs.Values.Sum(r => Count(r, call.Name)));
        }

        /// <summary>HITL: the gated call waits for a person (approval or guard review); the run parks until answered.</summary>
        private async Task<bool> AskAsync(string kind, string summary, ITool? tool, RequestedToolCall call, GuardDecision? guard, int iteration, DateTimeOffset? timeoutAt, CancellationToken cancellationToken)
        {
            var context = SkeinJson.Element(new { tool = call.Name, operation_name = tool?.Name ?? call.Name, arguments = call.Arguments, tool_call_id = call.ToolCallId, guard });
            await DecideAsync(c => UserTaskDecider.Ask(c, _runId, new NewTask(kind, summary, context, call.ToolCallId, iteration) { TimeoutAt = timeoutAt }, Now, EngineActor), cancellationToken);
            return false;
        }

        /// <summary>The process stopped between a ToolCall and its result: retry only what is safe to repeat.</summary>
        private async Task<bool> ResolveInterruptedAsync(ToolCallStep call, CancellationToken cancellationToken)
        {
            var tool = _tools.GetValueOrDefault(call.OperationName);
            Log.InterruptedToolCall(_x.logger, call.OperationName, tool?.Idempotent == true);
            return tool is { Idempotent: true }
                ? await ExecuteToolAsync(tool, call, cancellationToken)
                : await RecordResultAsync(call, ToolResultBody.Fail(ToolPolicy.InterruptedNotRetried), cancellationToken);
        }

        private async Task<bool> ExecuteToolAsync(ITool? tool, ToolCallStep call, CancellationToken cancellationToken)
        {
            ToolOutcome outcome;
            if (tool is null)
            {
                outcome = ToolOutcome.Fail(ToolPolicy.UnknownTool(call.Name));
            }
            else if (ToolPolicy.Refusal(_version.ExecutionMode, tool.RequiresApproval) is { } refusal)
            {
                outcome = ToolOutcome.Fail(refusal);
            }
            else if (await _x.arguments.ValidateAsync(tool, call.Arguments) is { } invalid)
            {
                outcome = ToolOutcome.Fail(invalid);
            }
            else
            {
                try
                {
                    outcome = await tool.ExecuteAsync(new ToolInvocation(_sessionId, _runId, call.ToolCallId, call.Arguments, call.IdempotencyKey, Now), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    outcome = ToolOutcome.Fail($"{tool.Name} failed: {ex.Message}");
                }
            }

            switch (outcome)
            {
                case ToolOutcome.WaitUntil wait:
                    var state = await _x.commands.GetAsync(_sessionId, cancellationToken);
                    if (state is not null && LimitRules.CheckWait(state, wait.Duration, _plan) is { } overBudget)
                    {
                        return await RecordResultAsync(call, ToolResultBody.Fail(overBudget), cancellationToken);
                    }

                    // Parked: the timer service records the wait's result and resumes the run when it is due.
                    await DecideAsync(c => SessionDecider.MoveRun(c, _runId, new RunTransition(RunStatus.WaitingForTimer) { WakeAt = wait.WakeAt, Reason = PhronyWaitTool.ToolName }, Now, EngineActor), cancellationToken);
                    return false;
                case ToolOutcome.Completed done:
                    return await RecordResultAsync(call, done.Result, cancellationToken);
                case ToolOutcome.AskUser ask:
                    if (_version.ExecutionMode == ExecutionMode.Request)
                    {
                        return await RecordResultAsync(call, ToolResultBody.Fail(ToolPolicy.AskNeedsHitl), cancellationToken);
                    }

                    // Parked: the answer records this call's result and resumes the run.
                    await DecideAsync(c => UserTaskDecider.Ask(c, _runId, new NewTask(ask.Kind, ask.Summary, ask.Context, call.ToolCallId, call.Iteration), Now, EngineActor), cancellationToken);
                    return false;
                default:
                    throw new InvalidOperationException($"unknown tool outcome {outcome}");
            }
        }

        private Task<bool> RecordResultAsync(ToolCallStep call, ToolResultBody result, CancellationToken cancellationToken) =>
            DecideAsync(c => SessionDecider.AppendStep(c, _runId, new StepDraft(new ToolResultStep(call.ToolCallId, result) { Iteration = call.Iteration }, Error: result.Error), Now, EngineActor), cancellationToken);
    }
}
