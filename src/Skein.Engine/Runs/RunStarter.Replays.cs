using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Sessions;
using Skein.Core.Steps;
using Skein.Engine.Telemetry;

namespace Skein.Engine.Runs;

/// <summary>Rerun and Fork (SPEC section 10): new sessions made from an existing one.</summary>
public sealed partial class RunStarter
{
    public const string RerunAction = "session.rerun";
    public const string ForkAction = "session.forked";

    /// <summary>A new session with the source's input and tags on the agent's current Deployed version; audited
    /// on the source session, with the new one in the note.</summary>
    public async Task<Result<StartedRun>> RerunAsync(Guid sessionId, string actor, CancellationToken cancellationToken)
    {
        var result = await RerunUnauditedAsync(sessionId, actor, cancellationToken);
        await AuditAsync(
            actor,
            RerunAction,
            "session",
            sessionId,
            result.IsSuccess ? result.Value : null,
            result.IsSuccess ? null : result.Error
        );
        return result;
    }

    /// <summary>A fork (<see cref="ForkUnauditedAsync"/>), audited on the source session with the new one and the
    /// step it forked from in the note.</summary>
    public async Task<Result<StartedRun>> ForkAsync(
        Guid sessionId,
        long fromSequence,
        string actor,
        CancellationToken cancellationToken
    )
    {
        var result = await ForkUnauditedAsync(sessionId, fromSequence, actor, cancellationToken);
        await AuditAsync(
            actor,
            ForkAction,
            "session",
            sessionId,
            result.IsSuccess ? result.Value : null,
            result.IsSuccess ? null : result.Error,
            $" from sequence {fromSequence}"
        );
        return result;
    }

    private async Task<Result<StartedRun>> RerunUnauditedAsync(
        Guid sessionId,
        string actor,
        CancellationToken cancellationToken
    )
    {
        if (await queries.SourceAsync(sessionId, cancellationToken) is not { Session: var source })
        {
            return DomainError.NotFound("session", sessionId);
        }

        try
        {
            return await StartUnauditedAsync(
                new StartRunRequest(
                    source.AgentId,
                    source.Input is null ? null : SkeinJson.Parse(source.Input),
                    TriggerType.Console,
                    actor
                )
                {
                    Tags = SessionTags.Parse(source.Tags),
                },
                cancellationToken
            );
        }
        catch (DomainException ex)
        {
            return ex.Error;
        }
    }

    /// <summary>
    /// A new session on the source's own frozen version whose root run starts with a copy of the source's root-run
    /// steps up to the one at <paramref name="fromSequence"/> (<see cref="ForkRules"/>), with fresh ids; the run
    /// loop then plans the next action from those committed steps, as it would after a restart.
    /// </summary>
    private async Task<Result<StartedRun>> ForkUnauditedAsync(
        Guid sessionId,
        long fromSequence,
        string actor,
        CancellationToken cancellationToken
    )
    {
        if (await queries.SourceAsync(sessionId, cancellationToken) is not var (source, rootSteps))
        {
            return DomainError.NotFound("session", sessionId);
        }

        var steps = rootSteps
            .Select(r =>
                (
                    r.EventSequence,
                    new StepRecord(
                        r.Id,
                        r.RunId,
                        r.Sequence,
                        StepContent.Parse(r.Content),
                        r.TokensUsed,
                        r.Error,
                        r.StartedAt,
                        r.FinishedAt
                    )
                )
            )
            .ToList();
        var prefix = ForkRules.Prefix(steps, fromSequence);
        if (!prefix.IsSuccess)
        {
            return prefix.Error;
        }

        var context = JsonSerializer.Deserialize<StartContext>(source.StartContext, SkeinJson.Options)
            ?? throw new JsonException("empty start context");
        try
        {
            var resolved = await catalog.ResolveAsync(
                context.Version.AgentId,
                context.Version.AgentVersionId,
                cancellationToken
            );
            var now = time.GetUtcNow();
            var start = SessionDecider.Start(
                new StartSession(
                    Ids.New(now),
                    Ids.New(now),
                    source.TenantId,
                    TriggerType.Console,
                    actor,
                    null,
                    null,
                    context with
                    {
                        TraceParent = SkeinTelemetry.CurrentTraceParent(),
                    },
                    now
                )
                {
                    Tags = SessionTags.Parse(source.Tags),
                    ForkedFrom = new ForkOrigin(sessionId, fromSequence),
                }
            );
            foreach (var step in prefix.Value)
            {
                SessionDecider.AppendStep(
                    start,
                    start.Current.RootRunId,
                    new StepDraft(step.Payload, step.TokensUsed, step.Error),
                    now,
                    actor
                );
            }

            if (start.Error is { } refused)
            {
                return refused;
            }

            return await CommitAndDispatchAsync(start, resolved, cancellationToken);
        }
        catch (DomainException ex)
        {
            return ex.Error;
        }
    }
}
