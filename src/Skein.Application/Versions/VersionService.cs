using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Application.Audit;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Guards;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Application.Versions;

/// <summary>
/// Creates, edits and moves agent versions along the live line (<see cref="VersionLifecycle"/>). Each command is one
/// transaction with its audit entry; the unique index on an agent's Deployed version turns a concurrent second deploy
/// into a conflict. The overloads taking a <see cref="SkeinDbContext"/> join the caller's transaction.
/// </summary>
public sealed partial class VersionService(
    IDbContextFactory<SkeinDbContext> contexts,
    AuditTrail audit,
    TimeProvider clock
)
{
    public async Task<Result<IReadOnlyList<VersionView>>> ListAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return DomainError.NotFound("agent", agentId);
        }

        var rows = await db
            .AgentVersions.AsNoTracking()
            .Where(v => v.AgentId == agentId)
            .OrderByDescending(v => v.CreatedAt)
            .ToListAsync(cancellationToken);
        return rows.Select(VersionView.From).ToList();
    }

    /// <summary>A new Testing version: a copy of <paramref name="fromVersionId"/> (default: the newest version) with
    /// the draft applied.</summary>
    public Task<Result<VersionView>> CreateAsync(
        Actor actor,
        Guid agentId,
        Guid? fromVersionId,
        VersionDraft draft,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<VersionView>(
            contexts,
            async db =>
            {
                if (Validate(draft) is { } invalid)
                {
                    return invalid;
                }

                var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
                if (agent is null)
                {
                    return DomainError.NotFound("agent", agentId);
                }

                var versions = await db.AgentVersions.Where(v => v.AgentId == agentId).ToListAsync(cancellationToken);
                AgentVersionRow? source = null;
                if (fromVersionId is { } id && (source = versions.FirstOrDefault(v => v.Id == id)) is null)
                {
                    return DomainError.NotFound("agent version", id);
                }

                source ??= versions.MaxBy(v => v.CreatedAt);
                var version = new AgentVersionRow
                {
                    Id = Ids.New(),
                    AgentId = agentId,
                    TenantId = agent.TenantId,
                    Label = VersionLifecycle.NextLabel([.. versions.Select(ToLine)]),
                    State = nameof(VersionState.Testing),
                    Model = source?.Model ?? draft.Model ?? "scripted",
                    Description = source?.Description ?? "",
                    Instructions = source?.Instructions ?? "",
                    Temperature = source?.Temperature ?? 0.7,
                    TopP = source?.TopP,
                    TopK = source?.TopK,
                    InputSchema = source?.InputSchema,
                    OutputSchema = source?.OutputSchema,
                    Operations = source?.Operations ?? "[]",
                    Limits = source?.Limits ?? "{}",
                    Conversation = source?.Conversation ?? "single",
                    ConversationIdleTimeoutSec = source?.ConversationIdleTimeoutSec ?? 1800,
                    MidRunMessages = source?.MidRunMessages ?? MidRunMessagesWire.Enqueue,
                    GuardRules = source?.GuardRules ?? "[]",
                    Script = source?.Script ?? "[]",
                    CanExecuteSubAgents = source?.CanExecuteSubAgents ?? false,
                    AllowedSubAgents = source?.AllowedSubAgents ?? "[]",
                    SubAgentExecutionModel = source?.SubAgentExecutionModel
                        ?? nameof(SubAgentExecutionModel.Sequential),
                    CreatedAt = clock.GetUtcNow().UtcDateTime,
                };
                Apply(version, draft);
                if (await CheckWiringAsync(db, agent, version, cancellationToken) is { } unwired)
                {
                    return unwired;
                }

                db.AgentVersions.Add(version);
                audit.Record(db, agent.TenantId, actor, "version.created", "agent_version", version.Id, version.Label);
                return VersionView.From(version);
            },
            cancellationToken
        );

    /// <summary>Edit a Testing version; deployed and archived versions are read-only.</summary>
    public Task<Result<VersionView>> UpdateAsync(
        Actor actor,
        Guid agentId,
        Guid versionId,
        VersionDraft draft,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<VersionView>(
            contexts,
            async db =>
            {
                if (Validate(draft) is { } invalid)
                {
                    return invalid;
                }

                var version = await EditableAsync(db, agentId, versionId, cancellationToken);
                if (!version.IsSuccess)
                {
                    return version.Error;
                }

                Apply(version.Value, draft);
                var agent = await db.Agents.AsNoTracking().FirstAsync(a => a.Id == agentId, cancellationToken);
                if (await CheckWiringAsync(db, agent, version.Value, cancellationToken) is { } unwired)
                {
                    return unwired;
                }

                Audit(db, actor, version.Value, "version.updated");
                return VersionView.From(version.Value);
            },
            cancellationToken
        );

    /// <summary>Replaces a Testing version's guard rules, validated against the rule schema and the agent's
    /// mode; an invalid document's problems are in <see cref="DomainError.Errors"/>.</summary>
    public Task<Result<GuardRulesSaved>> PutGuardRulesAsync(
        Actor actor,
        Guid agentId,
        Guid versionId,
        JsonElement rules,
        CancellationToken cancellationToken
    ) =>
        UnitOfWork.RunAsync<GuardRulesSaved>(
            contexts,
            async db =>
            {
                var agent = await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken);
                if (agent is null)
                {
                    return DomainError.NotFound("agent", agentId);
                }

                var version = await EditableAsync(db, agentId, versionId, cancellationToken);
                if (!version.IsSuccess)
                {
                    return version.Error;
                }

                var parsed = await GuardRuleDocument.ParseAsync(
                    rules,
                    Enum.Parse<ExecutionMode>(agent.ExecutionMode),
                    cancellationToken
                );
                if (!parsed.IsValid)
                {
                    return DomainError.Invalid(string.Join("; ", parsed.Errors)) with { Errors = parsed.Errors };
                }

                version.Value.GuardRules = JsonSerializer.Serialize(parsed.Rules, SkeinJson.Options);
                Audit(db, actor, version.Value, "version.guard_rules_updated");
                return new GuardRulesSaved(agentId, versionId, version.Value.GuardRules);
            },
            cancellationToken
        );

    public Task<Result<IReadOnlyList<VersionView>>> DeployAsync(
        Actor actor,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) => MoveAsync(db => DeployAsync(db, actor, agentId, versionId, cancellationToken), cancellationToken);

    /// <summary>Deploys inside the caller's unit of work; the previous live version is archived.</summary>
    public Task<Result<IReadOnlyList<VersionView>>> DeployAsync(
        SkeinDbContext db,
        Actor actor,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) => DeployCheckedAsync(db, actor, agentId, versionId, cancellationToken);

    private async Task<Result<IReadOnlyList<VersionView>>> DeployCheckedAsync(
        SkeinDbContext db,
        Actor actor,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) =>
        await CheckDeployableAsync(db, agentId, versionId, cancellationToken) is { } refused
            ? refused
            : await MoveAsync(
                db,
                actor,
                agentId,
                "version.deployed",
                (lines, now) => VersionLifecycle.Deploy(lines, versionId, now),
                cancellationToken
            );

    public Task<Result<IReadOnlyList<VersionView>>> RollbackAsync(
        Actor actor,
        Guid agentId,
        CancellationToken cancellationToken
    ) =>
        MoveAsync(
            db => MoveAsync(db, actor, agentId, "version.rolled_back", VersionLifecycle.Rollback, cancellationToken),
            cancellationToken
        );

    public Task<Result<IReadOnlyList<VersionView>>> RetractAsync(
        Actor actor,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) =>
        MoveAsync(
            db =>
                MoveAsync(
                    db,
                    actor,
                    agentId,
                    "version.retracted",
                    (lines, _) => VersionLifecycle.Retract(lines, versionId),
                    cancellationToken
                ),
            cancellationToken
        );

    public static VersionLine ToLine(AgentVersionRow v) =>
        new(v.Id, v.Label, Enum.Parse<VersionState>(v.State), v.CreatedAt, v.DeployedAt);

    private Task<Result<IReadOnlyList<VersionView>>> MoveAsync(
        Func<SkeinDbContext, Task<Result<IReadOnlyList<VersionView>>>> move,
        CancellationToken cancellationToken
    ) => UnitOfWork.RunAsync(contexts, move, cancellationToken);

    private async Task<Result<IReadOnlyList<VersionView>>> MoveAsync(
        SkeinDbContext db,
        Actor actor,
        Guid agentId,
        string action,
        Func<IReadOnlyList<VersionLine>, DateTime, IReadOnlyList<VersionStateChange>> decide,
        CancellationToken cancellationToken
    )
    {
        if (!await db.Agents.AnyAsync(a => a.Id == agentId, cancellationToken))
        {
            return DomainError.NotFound("agent", agentId);
        }

        var versions = await db.AgentVersions.Where(v => v.AgentId == agentId).ToListAsync(cancellationToken);
        IReadOnlyList<VersionStateChange> changes;
        try
        {
            changes = decide([.. versions.Select(ToLine)], clock.GetUtcNow().UtcDateTime);
        }
        catch (DomainException e)
        {
            return e.Error;
        }

        await ApplyAsync(db, versions, changes, cancellationToken);
        var moved = versions.Where(v => changes.Any(c => c.Id == v.Id)).ToList();
        foreach (var v in moved)
        {
            audit.Record(db, v.TenantId, actor, action, "agent_version", v.Id, $"{v.Label} is {v.State}");
        }

        return moved.Select(VersionView.From).ToList();
    }

    /// <summary>
    /// Writes decided moves onto tracked <paramref name="versions"/>: archives first and flushes, then deploys, so the
    /// unique "one Deployed per agent" index never sees two live versions mid-move.
    /// </summary>
    private static async Task ApplyAsync(
        SkeinDbContext db,
        IReadOnlyList<AgentVersionRow> versions,
        IReadOnlyList<VersionStateChange> changes,
        CancellationToken cancellationToken
    )
    {
        foreach (
            var stage in new[]
            {
                changes.Where(c => c.To != VersionState.Deployed),
                changes.Where(c => c.To == VersionState.Deployed),
            }
        )
        {
            foreach (var change in stage)
            {
                var row = versions.First(v => v.Id == change.Id);
                row.State = change.To.ToString();
                row.DeployedAt = change.DeployedAt;
            }

            await UnitOfWork.SaveAsync(db, cancellationToken);
        }
    }

    private static async Task<Result<AgentVersionRow>> EditableAsync(
        SkeinDbContext db,
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    )
    {
        var version = await db.AgentVersions.FirstOrDefaultAsync(
            v => v.AgentId == agentId && v.Id == versionId,
            cancellationToken
        );
        if (version is null)
        {
            return DomainError.NotFound("agent version", versionId);
        }

        VersionLifecycle.EnsureEditable(ToLine(version));
        return version;
    }

    private void Audit(SkeinDbContext db, Actor actor, AgentVersionRow v, string action) =>
        audit.Record(db, v.TenantId, actor, action, "agent_version", v.Id, v.Label);

    private static DomainError? Validate(VersionDraft draft) =>
        draft.Problems() is { Count: > 0 } problems ? DomainError.Invalid(string.Join("; ", problems)) : null;

    private static void Apply(AgentVersionRow version, VersionDraft draft)
    {
        version.Description = draft.Description ?? version.Description;
        version.Model = draft.Model ?? version.Model;
        version.Instructions = draft.Instructions ?? version.Instructions;
        version.Temperature = draft.Temperature ?? version.Temperature;
        version.TopP = draft.TopP ?? version.TopP;
        version.TopK = draft.TopK ?? version.TopK;
        version.InputSchema = draft.InputSchema is { } i ? NullIfJsonNull(i) : version.InputSchema;
        version.OutputSchema = draft.OutputSchema is { } o ? NullIfJsonNull(o) : version.OutputSchema;
        version.Operations = draft.Operations is { } ops
            ? JsonSerializer.Serialize(ops, SkeinJson.Options)
            : version.Operations;
        version.Limits = draft.Limits is { } l ? JsonSerializer.Serialize(l, SkeinJson.Options) : version.Limits;
        version.Conversation = draft.Conversation ?? version.Conversation;
        version.ConversationIdleTimeoutSec = draft.ConversationIdleTimeoutSec ?? version.ConversationIdleTimeoutSec;
        version.MidRunMessages = draft.MidRunMessages ?? version.MidRunMessages;
        version.Script = draft.Script is { } s ? JsonSerializer.Serialize(s, SkeinJson.Options) : version.Script;
        ApplyWiring(version, draft);
    }

    // An explicit JSON null clears a schema; an absent field keeps it.
    private static string? NullIfJsonNull(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetRawText();
}
