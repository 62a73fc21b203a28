using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Events;
using Skein.Core.Limits;
using Skein.Core.Runs;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Core.Usage;
using Skein.Engine.Models;
using Skein.Engine.Sessions;
using Skein.Engine.Telemetry;
using Skein.Engine.Tools;
using Skein.Store.Agents;
using Skein.Store.EventLog;
using Skein.Store.Leases;

namespace Skein.Engine.Runs;

/// <summary>
/// The one run loop. Each pass asks <see cref="RunPlanner"/> what comes next from the committed steps,
/// does it, and commits the result before the next pass, so a run killed at any instant resumes from
/// its last commit with nothing lost or repeated.
/// </summary>
public sealed partial class RunExecutor
{
    private readonly SessionCommands commands;
    private readonly AgentCatalog catalog;
    private readonly ToolCatalog toolCatalog;
    private readonly ModelClientFactory models;
    private readonly ToolArgumentValidator arguments;
    private readonly InputValidator inputs;
    private readonly IServiceProvider services;
    private readonly IOptions<EngineOptions> options;
    private readonly TimeProvider time;
    private readonly ILogger<RunExecutor> logger;
    private readonly ModelCallInterrupts interrupts;

    public RunExecutor(
        SessionCommands commands,
        AgentCatalog catalog,
        ToolCatalog toolCatalog,
        ModelClientFactory models,
        ToolArgumentValidator arguments,
        InputValidator inputs,
        IServiceProvider services,
        IOptions<EngineOptions> options,
        TimeProvider time,
        ILogger<RunExecutor> logger,
        ModelCallInterrupts interrupts
    )
    {
        this.interrupts = interrupts;
        this.inputs = inputs;
        this.services = services;
        this.commands = commands;
        this.catalog = catalog;
        this.toolCatalog = toolCatalog;
        this.models = models;
        this.arguments = arguments;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The error of a parent whose model answered with text while its children still run.</summary>
    public const string AitlUnresolved =
        "aitl_unresolved: the model answered with text while its sub-agents still run; a sub-agent's question is "
        + "resolved with aitl_answer or aitl_escalate";

    /// <summary>
    /// After a commit: every other run it made ready to work (a child it started, a parent a result or question
    /// reached, a child an answer resumed) gets a driver. Missing one is safe: the run supervisor finds it.
    /// </summary>
    internal void DispatchTouched(CommandResult result, Guid? except)
    {
        if (result.State is not { } state || result.Events.Count == 0)
        {
            return;
        }

        HashSet<Guid>? seen = null;
        foreach (var e in result.Events)
        {
            if (
                e.RunIdOrNull is not { } id
                || id == except
                || !(seen ??= []).Add(id)
                || state.Runs.GetValueOrDefault(id) is not { Status: RunStatus.Running } run
                || RunPlanner.Next(run, state) is NextAction.Idle or NextAction.AwaitChildren
            )
            {
                continue;
            }

            (_dispatcher ??= services.GetRequiredService<RunDispatcher>()).Dispatch(state.Id, id);
        }
    }

    private RunDispatcher? _dispatcher;
    private SessionEventNotifier? _notifier;

    /// <summary>The actor of every step and transition a driver records (<see cref="Actor.Engine"/>).</summary>
    public static readonly string EngineActor = Actor.Engine.Value;
    private const int PreviewLength = 200;

    /// <summary>Drives the run while it is Running; returns the status it was last seen in (null when there is no such
    /// run).</summary>
    public async Task<RunStatus?> DriveAsync(Guid sessionId, Guid runId, CancellationToken cancellationToken) =>
        (await DriveAsync(sessionId, runId, null, null, cancellationToken)).Status;

    /// <summary>
    /// As above, committing every step under <paramref name="lease"/> (fencing: see <see cref="RunLease"/>); the
    /// outcome says whether the append that parked or finished the run also gave the lease up.
    /// </summary>
    public async Task<DriveOutcome> DriveAsync(
        Guid sessionId,
        Guid runId,
        RunLease? lease,
        DriverSettings? driver,
        CancellationToken cancellationToken
    )
    {
        using var scope = logger.BeginScope(
            new Dictionary<string, object> { ["SessionId"] = sessionId, ["RunId"] = runId }
        );
        var state = await commands.GetAsync(sessionId, cancellationToken);
        if (state?.Runs.GetValueOrDefault(runId) is not { Status: RunStatus.Running } current)
        {
            return new DriveOutcome(state?.Runs.GetValueOrDefault(runId)?.Status, LeaseReleased: false);
        }

        if (RunPlanner.IsParked(current, state))
        {
            // Waiting for its children: nothing to drive, and nothing to read for it.
            return new DriveOutcome(RunStatus.Running, LeaseReleased: false);
        }

        var run = await RunScope.CreateAsync(this, state, runId, lease, driver, cancellationToken);
        using var activity = run.StartActivity(state.StartContext.TraceParent, state.Runs[runId].ParentRunId);
        while (await run.StepAsync(cancellationToken)) { }

        return new DriveOutcome(run.LastStatus, run.LeaseReleased);
    }

    /// <summary>What a run needs for its whole drive: version, limits, tools and model client.</summary>
    private sealed partial class RunScope
    {
        private readonly RunExecutor _x;
        private readonly Guid _sessionId;
        private readonly Guid _runId;
        private readonly VersionSnapshot _version;
        private readonly ExecutionMode _rootMode;
        private readonly PlanLimits _plan;
        private ModelPrices _prices = ModelPrices.Empty;
        private readonly IReadOnlyDictionary<string, ITool> _tools;
        private readonly IReadOnlyDictionary<string, SubAgentTool> _subAgents;
        private readonly IChatClient _chat;
        private readonly ChatOptions _chatOptions;
        private RunLease? _lease;
        private string _providerKind = "";

        /// <summary>The ToolCall this driver committed and has yet to execute (set inside a decision, used after its
        /// commit).</summary>
        private ToolCallStep? _toExecute;

        private RunScope(
            RunExecutor x,
            SessionState state,
            Guid runId,
            RunLease? lease,
            PlanLimits plan,
            IReadOnlyDictionary<string, ITool> tools,
            IReadOnlyDictionary<string, SubAgentTool> subAgents,
            IChatClient chat
        )
        {
            _x = x;
            _lease = lease;
            _sessionId = state.Id;
            _runId = runId;
            _version = RunTree.VersionOf(state, state.Runs[runId]);
            _rootMode = RunTree.RootMode(state);
            _plan = plan;
            _tools = tools;
            _subAgents = subAgents;
            _chat = chat;
            _chatOptions = new ChatOptions
            {
                ModelId = _version.Model,
                Temperature = (float)_version.Temperature,
                TopP = _version.TopP is { } p ? (float)p : null,
                TopK = _version.TopK,
                Tools =
                [
                    .. tools.Values.Select(t =>
                        AIFunctionFactory.CreateDeclaration(t.Name, t.Description, t.ParametersSchema)
                    ),
                    .. SubAgentTool.Declarations(subAgents.Values, state.Runs[runId].Depth > 0),
                ],
            };
        }

        private RunLimits Limits => _version.Limits;

        /// <summary>Session limits are the root version's and count the whole tree.</summary>
        private static RunLimits SessionLimits(SessionState state) => state.StartContext.Version.Limits;

        /// <summary>This segment's <c>invoke_agent</c> span (see <see cref="SkeinTelemetry.StartRun"/>).</summary>
        public System.Diagnostics.Activity? StartActivity(string? traceParent, Guid? parentRunId) =>
            SkeinTelemetry.StartRun(
                _version.AgentName,
                _version.AgentId,
                _version.Model,
                _providerKind,
                _sessionId,
                _runId,
                parentRunId,
                traceParent
            );

        /// <summary>The run's status in the latest state this driver read or committed.</summary>
        public RunStatus LastStatus { get; private set; } = RunStatus.Running;

        /// <summary>This driver's last append took the run off Running, and with it gave up the lease (see <see
        /// cref="Store.EventLog.EventLogWriter"/>).</summary>
        public bool LeaseReleased { get; private set; }

        public static async Task<RunScope> CreateAsync(
            RunExecutor x,
            SessionState state,
            Guid runId,
            RunLease? lease,
            DriverSettings? driver,
            CancellationToken cancellationToken
        )
        {
            var version = RunTree.VersionOf(state, state.Runs[runId]);

            // A run started a moment ago comes with the settings its start read; a resumed run reads them now.
            var settings =
                driver is not null && driver.Provider.Id == version.LlmProviderId
                    ? driver
                    : await x.catalog.DriverSettingsAsync(state.TenantId, version.LlmProviderId, cancellationToken);
            var tools = await x.toolCatalog.ResolveAsync(state.TenantId, version.Operations, cancellationToken);
            var subAgents = await SubAgentTool.ResolveAsync(x.catalog, version, cancellationToken);
            return new RunScope(
                x,
                state,
                runId,
                lease,
                settings.PlanLimits,
                tools,
                subAgents,
                settings.KeyRefusal is { } refusal
                    ? new RefusedChatClient(refusal)
                    : x.models.CreateForRun(version, settings.Provider, settings.ApiKey, state.Id, runId)
            )
            {
                _providerKind = settings.Provider.Kind,
                _prices = ModelPrices.Parse(settings.Provider.Prices),
            };
        }

        /// <summary>One pass of the loop; false when the run stopped being Running (finished, waiting, or taken
        /// over).</summary>
        public async Task<bool> StepAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var state = await _x.commands.GetAsync(_sessionId, cancellationToken);
            if (state?.Runs.GetValueOrDefault(_runId) is not { Status: RunStatus.Running } run)
            {
                LastStatus = state?.Runs.GetValueOrDefault(_runId)?.Status ?? LastStatus;
                return false;
            }

            var now = _x.time.GetUtcNow();
            if (LimitRules.CheckSession(state, SessionLimits(state), _plan, now) is { } exceeded)
            {
                return await FailAsync(exceeded, cancellationToken);
            }

            return RunPlanner.Next(run, state) switch
            {
                NextAction.PrepareModelRequest or NextAction.StartToolCall => await DecideAsync(
                    Advance,
                    cancellationToken
                ),
                NextAction.CallModel c => await CallModelAsync(run, c.Iteration, state.Version, cancellationToken),
                NextAction.ResolveInterruptedToolCall i => await ExecuteOrResolveAsync(i.Call, cancellationToken),
                NextAction.StartChildren s => await StartChildrenAsync(s.Calls, cancellationToken),
                _ => false,
            };
        }

        /// <summary>
        /// Takes every next step that needs nothing from outside (preparing a model request, deciding a tool call) in
        /// the
        /// change being built, so it commits together with the step that led to it. Effects (a model call, running a
        /// tool) always start from a commit, which keeps the crash guarantees of the one-step-per-commit loop.
        /// </summary>
        private void Advance(SessionChange c)
        {
            while (!c.Rejected && c.Current.Runs[_runId] is { Status: RunStatus.Running } run)
            {
                switch (RunPlanner.Next(run, c.Current))
                {
                    case NextAction.PrepareModelRequest p:
                        SessionDecider.PrepareModelRequest(c, _runId, p.Iteration, _version, Now, EngineActor);
                        return;
                    case NextAction.StartToolCall t when DecideToolCall(c, t.Call):
                        continue;
                    default:
                        return;
                }
            }
        }

        private async Task<bool> CallModelAsync(
            RunState run,
            int iteration,
            long version,
            CancellationToken cancellationToken
        )
        {
            var messages = ConversationBuilder.Build(_version, run);
            var startedAt = Now;
            ChatResponse response;
            using var interrupt = _x.interrupts.Begin(_runId);
            var streamed = _x.options.Value.StreamModelCalls ? new StringBuilder() : null;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupt.Token);
                timeout.CancelAfter(_x.options.Value.ModelCallTimeout);
                response = await AskModelAsync(messages, DeltaSink(iteration, version, streamed), timeout.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (interrupt.Interrupted)
            {
                // A message interrupted the call (midRunMessages: interrupt): record the call with the text its
                // subscribers already saw (the provider may bill it, so its usage is unknown, not 0), then plan again
                // from the message's turn.
                var partial = streamed?.ToString() ?? "";
                var cut = new ReasoningStep(partial, Preview(partial), 0, [])
                {
                    Iteration = iteration,
                    UsageMissing = true,
                };
                return await DecideAsync(
                    c => RecordDiscarded(c, ModelCallDiscardedStep.Cancelled, cut, startedAt),
                    cancellationToken
                );
            }
            catch (Exception ex)
            {
                return await ModelCallFailedAsync(ex, cancellationToken);
            }

            if (ModelReply.Problem(response) is { } problem)
            {
                return await FailAsync($"model provider error: {problem}", cancellationToken);
            }

            var usage = ResponseUsage.Read(response.Usage);
            var tokens = usage.Tokens;
            var calls = ModelReply.ToolCalls(response);
            var text = response.Text;
            var reasoning = new ReasoningStep(text, Preview(text), tokens, calls) { Iteration = iteration }.WithUsage(
                usage,
                _prices.CostOf(_version.Model, usage)
            );

            return await DecideAsync(
                c =>
                {
                    var at = Now;
                    if (
                        RunPlanner.Next(c.Current.Runs[_runId], c.Current)
                            is not NextAction.CallModel { Iteration: var asked }
                        || asked != iteration
                    )
                    {
                        // A message interrupted this turn while the model answered: the answer is not wanted, what
                        // it cost still counts.
                        RecordDiscarded(c, ModelCallDiscardedStep.Superseded, reasoning, startedAt);
                        return;
                    }

                    SessionDecider.AppendStep(
                        c,
                        _runId,
                        new StepDraft(reasoning, tokens, StartedAt: startedAt),
                        at,
                        EngineActor
                    );
                    if (c.Rejected || FailIfOverTokens(c, at))
                    {
                        return;
                    }

                    var after = c.Current.Runs[_runId];

                    if (calls.Count > 0 || RunPlanner.HasUnreadMessages(after))
                    {
                        // A message queued during the turn gets a turn of its own before the run may finish.
                        Advance(c);
                        return;
                    }

                    if (RunTree.OutstandingCalls(after).Count > 0)
                    {
                        // Children still run: a turn taken for their questions must resolve them, not finish.
                        SessionDecider.FailRun(c, _runId, AitlUnresolved, at, EngineActor);
                        return;
                    }

                    var output = OutputValue(text);
                    SessionDecider.AppendStep(
                        c,
                        _runId,
                        new StepDraft(OutputStep.Of(output, reasoning, after)),
                        at,
                        EngineActor
                    );
                    SessionDecider.MoveRun(
                        c,
                        _runId,
                        _version.Conversation == ConversationMode.MultiTurn
                            ? new RunTransition(RunStatus.WaitingForResponse)
                            {
                                Output = output,
                                WakeAt = at + _version.ConversationIdleTimeout,
                                Reason = "awaiting user message",
                            }
                            : new RunTransition(RunStatus.Completed) { Output = output, Reason = "output" },
                        at,
                        EngineActor
                    );
                },
                cancellationToken
            );
        }

        /// <summary>
        /// Records a model call whose turn a message interrupted, with what it used, so the totals and token limits
        /// count it; a run that stopped working meanwhile (terminated, failed) records nothing more.
        /// </summary>
        private void RecordDiscarded(SessionChange c, string reason, ReasoningStep answer, DateTimeOffset startedAt)
        {
            if (c.Current.Runs[_runId] is not { Status: RunStatus.Running })
            {
                return;
            }

            var at = Now;
            SessionDecider.AppendStep(
                c,
                _runId,
                new StepDraft(
                    new ModelCallDiscardedStep(reason, answer) { Iteration = answer.Iteration },
                    answer.TokensUsed,
                    StartedAt: startedAt
                ),
                at,
                EngineActor
            );
            if (!c.Rejected)
            {
                FailIfOverTokens(c, at);
            }
        }

        /// <summary>Fails the run when the tokens just recorded put it or its session over a limit.</summary>
        private bool FailIfOverTokens(SessionChange c, DateTimeOffset at)
        {
            if (
                (
                    LimitRules.CheckRunTokens(c.Current.Runs[_runId], Limits)
                    ?? LimitRules.CheckSession(c.Current, SessionLimits(c.Current), _plan, at)
                )
                is not { } exceeded
            )
            {
                return false;
            }

            SessionDecider.FailRun(c, _runId, exceeded, at, EngineActor);
            return true;
        }

        /// <summary>The one model call of a turn (the provider's whole answer).</summary>
        private Task<ChatResponse> AskModelAsync(
            List<ChatMessage> messages,
            Action<string>? onText,
            CancellationToken cancellationToken
        ) => StreamingModelCall.GetResponseAsync(_chat, messages, _chatOptions, onText, cancellationToken);

        /// <summary>
        /// A model call failed: a provider fault (429, 5xx) parks the run until its next attempt while the retry
        /// budget lasts (<see cref="ProviderBackoff"/>); anything else fails the run with a model provider error.
        /// </summary>
        private async Task<bool> ModelCallFailedAsync(Exception ex, CancellationToken cancellationToken)
        {
            Log.ModelCallFailed(_x.logger, ex);
            if (ex is OperationCanceledException)
            {
                var seconds = _x.options.Value.ModelCallTimeout.TotalSeconds;
                return await FailAsync(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"model provider error: the model call timed out after {seconds:0.###} s"
                    ),
                    cancellationToken
                );
            }

            if (ex is JsonException)
            {
                // The SDK surfaces a malformed body as a bare parser message; say where it came from.
                return await FailAsync(
                    $"model provider error: the response is not valid JSON: {ex.Message}",
                    cancellationToken
                );
            }

            if (ProviderFault.Transient(ex, Now) is not { } fault)
            {
                return await FailAsync($"model provider error: {ModelReply.Describe(ex)}", cancellationToken);
            }

            var engine = _x.options.Value;
            var policy = new ProviderBackoffPolicy(
                engine.ProviderRetryBudget,
                engine.ProviderBackoffDelay,
                engine.ProviderBackoffMaxDelay
            );
            // Parked (WaitingForTimer) or, past the budget, failed: either way this driver stops here.
            await DecideAsync(
                c => ProviderBackoff.Park(c, _runId, fault.Message, fault.RetryAfter, policy, Now, EngineActor),
                cancellationToken
            );
            return false;
        }

        /// <summary>
        /// Where a streamed call's text goes as it arrives: <paramref name="streamed"/>, for the record of a call a
        /// message cuts short, then the session's live subscribers on this node, as transient deltas (never stored: a
        /// crash mid-stream loses them, and the turn is planned again from committed steps). Null when calls are not
        /// streamed.
        /// </summary>
        private Action<string>? DeltaSink(int iteration, long version, StringBuilder? streamed)
        {
            if (streamed is null)
            {
                return null;
            }

            var notifier = _x._notifier ??= _x.services.GetRequiredService<SessionEventNotifier>();
            var index = 0;
            return text =>
            {
                streamed.Append(text);
                notifier.PublishDelta(_sessionId, new StepDelta(_runId, iteration, index++, text, Now, version));
            };
        }

        private static string Preview(string text) => text.Length > PreviewLength ? text[..PreviewLength] : text;

        /// <summary>
        /// Records the run's failure; false (the driver stops). When the failure itself cannot be recorded (the store
        /// is unreachable), that is logged and the exception leaves the driver: the run is still Running in the store,
        /// so the run supervisor resumes it and the failure is decided again.
        /// </summary>
        private async Task<bool> FailAsync(string error, CancellationToken cancellationToken)
        {
            Log.RunFailed(_x.logger, error);
            try
            {
                await DecideAsync(c => SessionDecider.FailRun(c, _runId, error, Now, EngineActor), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not LeaseLostException)
            {
                Log.RecordingFailureFailed(_x.logger, error, ex);
                throw;
            }

            return false;
        }

        /// <summary>Commits a decision; false when it was refused (the run moved on, e.g. an operator terminated
        /// it).</summary>
        private async Task<bool> DecideAsync(Action<SessionChange> decide, CancellationToken cancellationToken)
        {
            _toExecute = null;
            var result = await _x.commands.ExecuteAsync(_sessionId, decide, _lease, cancellationToken);
            LastStatus = result.State?.Runs.GetValueOrDefault(_runId)?.Status ?? LastStatus;
            if (result.Ok)
            {
                _x.DispatchTouched(result, _runId);
            }

            if (result.Ok && result.Events.Count > 0 && _lease is not null)
            {
                // Committed under the lease: a first lease is now written, and an append that took the run off
                // Running gave it up in the same transaction.
                _lease = _lease.ClaimWithAppend is null ? _lease : _lease with { ClaimWithAppend = null };
                LeaseReleased = LastStatus != RunStatus.Running;
            }

            if (!result.Ok)
            {
                _toExecute = null;
            }

            return result.Ok && LastStatus == RunStatus.Running;
        }

        private DateTimeOffset Now => _x.time.GetUtcNow();

        /// <summary>With an output schema the final text is the JSON it describes; otherwise the output is the
        /// text.</summary>
        private JsonElement OutputValue(string text)
        {
            if (_version.OutputSchema is not null)
            {
                try
                {
                    return SkeinJson.Parse(text);
                }
                catch (JsonException)
                {
                    // Not JSON: keep the text; schema conformance of outputs is reported, not forced.
                }
            }

            return JsonSerializer.SerializeToElement(text);
        }
    }

    private enum ReviewState
    {
        Unasked,
        Approved,
        Rejected,
        Cancelled,
    }

    private static partial class Log
    {
        /// <summary>One Warning line with the reason; the stack trace at Debug.</summary>
        public static void ModelCallFailed(ILogger logger, Exception exception)
        {
            ModelCallFailedReason(logger, exception.Message);
            ModelCallFailedDetail(logger, exception);
        }

        [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Model call failed: {Reason}")]
        private static partial void ModelCallFailedReason(ILogger logger, string reason);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Model call failed")]
        private static partial void ModelCallFailedDetail(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Run failed: {Error}")]
        public static partial void RunFailed(ILogger logger, string error);

        [LoggerMessage(
            EventId = 3003,
            Level = LogLevel.Warning,
            Message = "Resolving interrupted tool call {Operation} (retry: {Retry})"
        )]
        public static partial void InterruptedToolCall(ILogger logger, string operation, bool retry);

        [LoggerMessage(
            EventId = 3004,
            Level = LogLevel.Error,
            Message = "Recording the run's failure ({Error}) failed; the run stays Running and will be resumed"
        )]
        public static partial void RecordingFailureFailed(ILogger logger, string error, Exception exception);
    }
}

/// <summary>How a drive ended: the run's last seen status, and whether the driver's last append gave its lease
/// up.</summary>
public readonly record struct DriveOutcome(RunStatus? Status, bool LeaseReleased);
