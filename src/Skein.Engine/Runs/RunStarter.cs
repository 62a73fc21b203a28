using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Core.Sessions;
using Skein.Engine.Sessions;
using Skein.Engine.Telemetry;
using Skein.Store.Agents;
using Skein.Store.Audit;
using Skein.Store.Leases;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Engine.Runs;

/// <summary>Starts a session with its root run: resolve the version, check the mode and input, commit,
/// dispatch. Starts by a person (console: a Test run, Rerun, Fork) are recorded in the audit log with their
/// outcome; trigger starts are not (their sessions say which trigger started them).</summary>
public sealed partial class RunStarter(
    AgentCatalog catalog,
    InputValidator validator,
    SessionCommands commands,
    RunDispatcher dispatcher,
    IRunLeaseStore leases,
    SessionQueries queries,
    TimeProvider time,
    AuditLog audit
)
{
    /// <summary>The audit action of a console start (a dashboard Test run or <c>POST /api/agents/{id}/runs</c>);
    /// its target is the agent and its note the new session.</summary>
    public const string TestRunAction = "agent.test_run";

    public async Task<StartedRun> StartAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        if (request.TriggerType != TriggerType.Console)
        {
            return await StartUnauditedAsync(request, cancellationToken);
        }

        try
        {
            var started = await StartUnauditedAsync(request, cancellationToken);
            await AuditAsync(request.TriggeredBy, TestRunAction, "agent", request.AgentId, started, null);
            return started;
        }
        catch (DomainException ex)
        {
            await AuditAsync(request.TriggeredBy, TestRunAction, "agent", request.AgentId, null, ex.Error);
            throw;
        }
    }

    /// <summary>Records a person's start with its outcome: the new session, or why it was refused. Not cancelled
    /// with the request: a start that happened is always in the log.</summary>
    private Task AuditAsync(
        string actor,
        string action,
        string subjectType,
        Guid subjectId,
        StartedRun? started,
        DomainError? error,
        string note = ""
    ) =>
        audit.AppendAsync(
            actor,
            action,
            subjectType,
            subjectId,
            error is null ? AuditOutcomes.Succeeded : AuditOutcomes.Failed,
            error?.Message ?? $"session {started?.SessionId}{note}",
            CancellationToken.None
        );

    private async Task<StartedRun> StartUnauditedAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        var resolved = await catalog.ResolveAsync(request.AgentId, request.VersionId, cancellationToken);
        var version = resolved.Snapshot;
        if (SubAgentRules.CheckStartable(version.ExecutionMode, version.AgentName) is { } notStartable)
        {
            throw new DomainException(notStartable);
        }

        if (request.Input is { } input && input.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new DomainException(new DomainError(DomainErrorCodes.InvalidInput, "input must be a JSON object"));
        }

        if (request.Input is { ValueKind: JsonValueKind.Object } given && JsonInputRules.Check(given) is { } unusable)
        {
            throw new DomainException(new DomainError(DomainErrorCodes.InvalidInput, unusable));
        }

        if (SessionTags.Check(request.Tags) is { } badTags)
        {
            throw new DomainException(new DomainError(DomainErrorCodes.InvalidInput, badTags));
        }

        var userInput = request.Input is { ValueKind: JsonValueKind.Object } ? request.Input : null;
        await validator.ValidateAsync(version, userInput);

        var now = time.GetUtcNow();
        var start = SessionDecider.Start(
            new StartSession(
                Ids.New(now),
                Ids.New(now),
                resolved.Agent.TenantId,
                request.TriggerType,
                request.TriggeredBy,
                request.TriggerId,
                request.TriggerName,
                new StartContext(version, userInput)
                {
                    TraceParent = SkeinTelemetry.CurrentTraceParent(),
                    MaxActiveSessionSec = (int)resolved.Driver.PlanLimits.MaxActiveSessionTime.TotalSeconds,
                },
                now
            )
            {
                Tags = request.Tags,
            }
        );

        // The first model request needs nothing from outside: it commits with the start instead of on its own.
        SessionDecider.PrepareModelRequest(start, start.Current.RootRunId, 1, version, now, RunExecutor.EngineActor);

        return await CommitAndDispatchAsync(start, resolved, cancellationToken);
    }

    /// <summary>Commits a decided start with its run's first lease, then hands the run to its driver.</summary>
    private async Task<StartedRun> CommitAndDispatchAsync(
        SessionChange start,
        ResolvedVersion resolved,
        CancellationToken cancellationToken
    )
    {
        // The run's lease commits with its start (PostgreSQL; SQLite's needs no row), so its driver claims nothing.
        var lease = leases.LeaseForNewRun(start.Current.Id, start.Current.RootRunId);
        SessionState state;
        try
        {
            state = await commands.StartAsync(start, lease, cancellationToken);
        }
        catch
        {
            leases.Forget(lease);
            throw;
        }

        dispatcher.Dispatch(state.Id, state.RootRunId, lease with { ClaimWithAppend = null }, resolved.Driver);
        return new StartedRun(state.Id, state.RootRunId, state);
    }
}

public sealed record StartRunRequest(Guid AgentId, JsonElement? Input, TriggerType TriggerType, string TriggeredBy)
{
    /// <summary>A specific version (dashboard Test run); null runs the Deployed one.</summary>
    public Guid? VersionId { get; init; }
    public Guid? TriggerId { get; init; }
    public string? TriggerName { get; init; }

    /// <summary>The start body's <c>tags</c> (<see cref="SessionTags"/>), checked before anything is written.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record StartedRun(Guid SessionId, Guid RunId, SessionState State);
