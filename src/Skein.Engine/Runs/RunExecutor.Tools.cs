using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Core.Limits;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.Tools;
using Skein.Core.UserTasks;
using Skein.Engine.Telemetry;
using Skein.Engine.Tools;

namespace Skein.Engine.Runs;

public sealed partial class RunExecutor
{
    /// <summary>Tool calls: guard rules, approvals and reviews, execution, and interrupted calls.</summary>
    private sealed partial class RunScope
    {
        /// <summary>
        /// Decides a requested tool call inside <paramref name="c"/>: guard rules, review or approval, then the
        /// ToolCall step
        /// (with its refusal, when refused). Pure with respect to the outside world, so it shares a commit with the
        /// step
        /// before it. True when the run can keep advancing in the same change (the call was refused); false when the
        /// next
        /// thing is an effect (executing the recorded call) or the run stopped (paused for a person, failed,
        /// terminated).
        /// </summary>
        private bool DecideToolCall(SessionChange c, RequestedToolCall call)
        {
            var state = c.Current;
            var run = state.Runs[_runId];
            if (LimitRules.CheckToolCall(run, Limits, _plan) is { } exceeded)
            {
                SessionDecider.FailRun(c, _runId, exceeded, Now, EngineActor);
                return false;
            }

            // Arguments the model garbled never reach a tool (nor a guard rule): the model reads why instead.
            var malformed = call.ArgumentsError is { } problem
                ? ToolResultBody.Fail(ToolPolicy.MalformedArguments(call.Name, problem))
                : null;
            if (malformed is null && DecideTreeCall(c, call) is { } handled)
            {
                return handled;
            }

            var tool = _tools.GetValueOrDefault(call.Name);
            var rootMode = RunTree.RootMode(state);
            var rules = RunTree.GuardRules(state, run);

            // Guard rules first: they may end the session, refuse the call, or hold it for review.
            GuardDecision? guard =
                malformed is null && rules.Count > 0 ? GuardEvaluator.Evaluate(rules, Attempt(state, call)) : null;
            ToolResultBody? refused = malformed;
            string? terminate = null;
            switch (guard)
            {
                case { Outcome: GuardAction.TerminateSession, Applied: { } rule }:
                    terminate = ToolPolicy.TerminatedByGuard(rule.RuleId, rule.Reason, rule.FailedClosed);
                    refused = ToolResultBody.Fail(terminate);
                    break;
                case { Outcome: GuardAction.Block, Applied: { } rule }:
                    refused = ToolResultBody.Fail(
                        ToolPolicy.BlockedByGuard(rule.RuleId, rule.Reason, rule.FailedClosed)
                    );
                    break;
                case { Outcome: GuardAction.Pause, Applied: { } rule } when rootMode == ExecutionMode.Request:
                    // A pause needs a person; Request agents cannot save such rules, so refuse rather than run.
                    refused = ToolResultBody.Fail(
                        ToolPolicy.BlockedByGuard(rule.RuleId, rule.Reason, rule.FailedClosed)
                    );
                    break;
                case { Outcome: GuardAction.Pause, Applied: { } rule }:
                    switch (Review(state, call, UserTaskKinds.AnomalyReview, out refused))
                    {
                        case ReviewState.Unasked:
                            Ask(
                                c,
                                UserTaskKinds.AnomalyReview,
                                $"Guard rule '{rule.RuleId}' paused {call.Name}: {rule.Reason}"
                                    + (rule.FailedClosed is { } why ? $" (fail closed: {why})" : ""),
                                tool,
                                call,
                                guard,
                                run.Iteration,
                                null
                            );
                            return false;
                        case ReviewState.Cancelled:
                            return false;
                    }

                    break;
            }

            // Human input anywhere in the tree follows the root's mode (SPEC section 9).
            if (refused is null && tool is { RequiresApproval: true } && rootMode != ExecutionMode.Request)
            {
                switch (Review(state, call, UserTaskKinds.Approval, out refused))
                {
                    case ReviewState.Unasked:
                        var timeoutAt = tool.ApprovalTimeout is { } timeout ? Now + timeout : (DateTimeOffset?)null;
                        Ask(
                            c,
                            UserTaskKinds.Approval,
                            $"Approve {call.Name}?",
                            tool,
                            call,
                            guard,
                            run.Iteration,
                            timeoutAt
                        );
                        return false;
                    case ReviewState.Cancelled:
                        return false;
                }
            }

            var sequence = run.Steps.Count + 1;
            var step = new ToolCallStep(
                call.Name,
                call.Arguments,
                call.ToolCallId,
                tool?.Name ?? call.Name,
                $"{_runId:N}:{sequence}"
            )
            {
                Iteration = run.Iteration,
                Guard = guard,
            };
            if (SessionDecider.AppendStep(c, _runId, new StepDraft(step), Now, EngineActor) is null)
            {
                return false;
            }

            if (refused is null)
            {
                // Committed before it runs: after a crash the planner sees a call without a result, never a silent
                // repeat.
                _toExecute = step;
                return false;
            }

            // A refused call is recorded with its refusal in the same commit: it never executes.
            SessionDecider.AppendStep(
                c,
                _runId,
                new StepDraft(
                    new ToolResultStep(call.ToolCallId, refused) { Iteration = run.Iteration },
                    Error: refused.Error
                ),
                Now,
                EngineActor
            );
            if (terminate is not null)
            {
                SessionDecider.FailRun(c, _runId, terminate, Now, EngineActor);
                return false;
            }

            return true;
        }

        /// <summary>Where a person's review of this call stands; a rejection comes back as the refusal to
        /// record.</summary>
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

        /// <summary>Earlier attempts of the same tool in this run and across the session (the current one
        /// excluded).</summary>
        private ToolAttempt Attempt(SessionState state, RequestedToolCall call)
        {
            static int Count(RunState r, string name) =>
                r.Steps.Count(s => s.Payload is ToolCallStep c && c.Name == name);
            return new ToolAttempt(
                call.Name,
                call.Arguments,
                Count(state.Runs[_runId], call.Name),
                state.Runs.Values.Sum(r => Count(r, call.Name))
            );
        }

        /// <summary>HITL: the gated call waits for a person (approval or guard review); the run parks until
        /// answered.</summary>
        private void Ask(
            SessionChange c,
            string kind,
            string summary,
            ITool? tool,
            RequestedToolCall call,
            GuardDecision? guard,
            int iteration,
            DateTimeOffset? timeoutAt
        )
        {
            var context = SkeinJson.Element(
                new
                {
                    tool = call.Name,
                    operation_name = tool?.Name ?? call.Name,
                    arguments = call.Arguments,
                    tool_call_id = call.ToolCallId,
                    guard,
                }
            );
            UserTaskDecider.Ask(
                c,
                _runId,
                new NewTask(kind, summary, context, call.ToolCallId, iteration) { TimeoutAt = timeoutAt },
                Now,
                EngineActor
            );
        }

        /// <summary>
        /// A committed call without a result: the one this driver just recorded runs now; any other means the process
        /// stopped mid-call, and only what is safe to repeat is retried.
        /// </summary>
        private async Task<bool> ExecuteOrResolveAsync(ToolCallStep call, CancellationToken cancellationToken)
        {
            var tool = _tools.GetValueOrDefault(call.OperationName);
            if (
                _toExecute is { } fresh
                && fresh.IdempotencyKey == call.IdempotencyKey
                && fresh.ToolCallId == call.ToolCallId
            )
            {
                _toExecute = null;
                return await ExecuteToolAsync(tool, call, cancellationToken);
            }

            Log.InterruptedToolCall(_x.logger, call.OperationName, tool?.Idempotent == true);
            return tool is { Idempotent: true }
                ? await ExecuteToolAsync(tool, call, cancellationToken)
                : await RecordResultAsync(
                    call,
                    ToolResultBody.Interrupted(ToolPolicy.InterruptedNotRetried),
                    cancellationToken
                );
        }

        private async Task<bool> ExecuteToolAsync(ITool? tool, ToolCallStep call, CancellationToken cancellationToken)
        {
            using var activity = SkeinTelemetry.StartTool(call.OperationName, call.ToolCallId, _sessionId, _runId);
            ToolOutcome outcome;
            if (tool is null)
            {
                outcome = ToolOutcome.Fail(ToolPolicy.UnknownTool(call.Name));
            }
            else if (ToolPolicy.Refusal(_rootMode, tool.RequiresApproval) is { } refusal)
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
                    outcome = await tool.ExecuteAsync(
                        new ToolInvocation(
                            _sessionId,
                            _runId,
                            call.ToolCallId,
                            call.Arguments,
                            call.IdempotencyKey,
                            Now
                        ),
                        cancellationToken
                    );
                }
                catch (Exception ex)
                    when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    outcome = ToolOutcome.Fail($"{tool.Name} failed: {ex.Message}");
                }
            }

            if (outcome is ToolOutcome.Completed { Result.Error: { } toolError })
            {
                SkeinTelemetry.Fail(activity, "tool_error", toolError);
            }

            switch (outcome)
            {
                case ToolOutcome.WaitUntil wait:
                    var state = await _x.commands.GetAsync(_sessionId, cancellationToken);
                    if (state is not null && LimitRules.CheckWait(state, wait.Duration, _plan) is { } overBudget)
                    {
                        return await RecordResultAsync(call, ToolResultBody.Fail(overBudget), cancellationToken);
                    }

                    // Parked: the run supervisor records the wait's result and resumes the run when it is due.
                    await DecideAsync(
                        c =>
                            SessionDecider.MoveRun(
                                c,
                                _runId,
                                new RunTransition(RunStatus.WaitingForTimer)
                                {
                                    WakeAt = wait.WakeAt,
                                    Reason = PhronyWaitTool.ToolName,
                                },
                                Now,
                                EngineActor
                            ),
                        cancellationToken
                    );
                    return false;
                case ToolOutcome.Completed done:
                    return await RecordResultAsync(call, done.Result, cancellationToken);
                case ToolOutcome.AskUser ask:
                    if (_rootMode == ExecutionMode.Request)
                    {
                        return await RecordResultAsync(
                            call,
                            ToolResultBody.Fail(ToolPolicy.AskNeedsHitl),
                            cancellationToken
                        );
                    }

                    // Parked: the answer records this call's result and resumes the run.
                    await DecideAsync(
                        c =>
                            UserTaskDecider.Ask(
                                c,
                                _runId,
                                new NewTask(ask.Kind, ask.Summary, ask.Context, call.ToolCallId, call.Iteration),
                                Now,
                                EngineActor
                            ),
                        cancellationToken
                    );
                    return false;
                default:
                    throw new InvalidOperationException($"unknown tool outcome {outcome}");
            }
        }

        /// <summary>Records a call's result and, in the same commit, whatever pure step follows it (the next model
        /// request or tool call).</summary>
        private Task<bool> RecordResultAsync(
            ToolCallStep call,
            ToolResultBody result,
            CancellationToken cancellationToken
        ) =>
            DecideAsync(
                c =>
                {
                    if (
                        SessionDecider.AppendStep(
                            c,
                            _runId,
                            new StepDraft(
                                new ToolResultStep(call.ToolCallId, result) { Iteration = call.Iteration },
                                Error: result.Error
                            ),
                            Now,
                            EngineActor
                        )
                        is not null
                    )
                    {
                        Advance(c);
                    }
                },
                cancellationToken
            );
    }
}
