using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>
/// Creates, edits and moves agent versions along the live line (<see cref="VersionLifecycle"/>). Each command is one
/// transaction; the unique index on an agent's Deployed version turns a concurrent second deploy into a conflict.
/// </summary>
public sealed class AgentVersionCommands(IDbContextFactory<SkeinDbContext> contexts, TimeProvider clock)
{
    public async Task<IReadOnlyList<AgentVersionRow>> ListAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await EnsureAgentAsync(db, agentId, cancellationToken);
        return await db
            .AgentVersions.AsNoTracking()
            .Where(v => v.AgentId == agentId)
            .OrderByDescending(v => v.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    /// <summary>A new Testing version: a copy of <paramref name="fromVersionId"/> (default: the newest version) with
    /// the draft applied.</summary>
    public async Task<AgentVersionRow> CreateAsync(
        Guid agentId,
        Guid? fromVersionId,
        VersionDraft draft,
        CancellationToken cancellationToken
    )
    {
        Validate(draft);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var agent = await EnsureAgentAsync(db, agentId, cancellationToken);
        var versions = await db.AgentVersions.Where(v => v.AgentId == agentId).ToListAsync(cancellationToken);
        var source = fromVersionId is { } id
            ? versions.FirstOrDefault(v => v.Id == id)
                ?? throw new DomainException(DomainError.NotFound("agent version", id))
            : versions.MaxBy(v => v.CreatedAt);

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
            GuardRules = source?.GuardRules ?? "[]",
            Script = source?.Script ?? "[]",
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        Apply(version, draft);
        db.AgentVersions.Add(version);
        await SaveAsync(db, cancellationToken);
        return version;
    }

    /// <summary>Edit a Testing version; deployed and archived versions are read-only.</summary>
    public async Task<AgentVersionRow> UpdateAsync(
        Guid agentId,
        Guid versionId,
        VersionDraft draft,
        CancellationToken cancellationToken
    )
    {
        Validate(draft);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var version = await db.AgentVersions.FirstOrDefaultAsync(
            v => v.AgentId == agentId && v.Id == versionId,
            cancellationToken
        ) ?? throw new DomainException(DomainError.NotFound("agent version", versionId));
        VersionLifecycle.EnsureEditable(ToLine(version));
        Apply(version, draft);
        await SaveAsync(db, cancellationToken);
        return version;
    }

    public Task<IReadOnlyList<AgentVersionRow>> DeployAsync(
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) => MoveAsync(agentId, (lines, now) => VersionLifecycle.Deploy(lines, versionId, now), cancellationToken);

    public Task<IReadOnlyList<AgentVersionRow>> RollbackAsync(Guid agentId, CancellationToken cancellationToken) =>
        MoveAsync(agentId, VersionLifecycle.Rollback, cancellationToken);

    public Task<IReadOnlyList<AgentVersionRow>> RetractAsync(
        Guid agentId,
        Guid versionId,
        CancellationToken cancellationToken
    ) => MoveAsync(agentId, (lines, _) => VersionLifecycle.Retract(lines, versionId), cancellationToken);

    public static VersionLine ToLine(AgentVersionRow v) =>
        new(v.Id, v.Label, Enum.Parse<VersionState>(v.State), v.CreatedAt, v.DeployedAt);

    private async Task<IReadOnlyList<AgentVersionRow>> MoveAsync(
        Guid agentId,
        Func<IReadOnlyList<VersionLine>, DateTime, IReadOnlyList<VersionStateChange>> decide,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await EnsureAgentAsync(db, agentId, cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var versions = await db.AgentVersions.Where(v => v.AgentId == agentId).ToListAsync(cancellationToken);
        var changes = decide([.. versions.Select(ToLine)], clock.GetUtcNow().UtcDateTime);
        await ApplyAsync(db, versions, changes, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return [.. versions.Where(v => changes.Any(c => c.Id == v.Id))];
    }

    /// <summary>
    /// Writes decided moves onto tracked <paramref name="versions"/>: archives first and flushes, then deploys, so the
    /// unique
    /// "one Deployed per agent" index never sees two live versions mid-move. The caller owns the transaction.
    /// </summary>
    internal static async Task ApplyAsync(
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

            await SaveAsync(db, cancellationToken);
        }
    }

    private static async Task<AgentRow> EnsureAgentAsync(
        SkeinDbContext db,
        Guid agentId,
        CancellationToken cancellationToken
    ) =>
        await db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, cancellationToken)
        ?? throw new DomainException(DomainError.NotFound("agent", agentId));

    private static async Task SaveAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new DomainException(
                new DomainError(
                    DomainErrorCodes.Conflict,
                    "the agent's versions changed at the same time; reload and try again"
                )
            );
        }
    }

    private static void Validate(VersionDraft draft)
    {
        if (draft.Problems() is { Count: > 0 } problems)
        {
            throw new DomainException(new DomainError(DomainErrorCodes.InvalidInput, string.Join("; ", problems)));
        }
    }

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
        version.Script = draft.Script is { } s ? JsonSerializer.Serialize(s, SkeinJson.Options) : version.Script;
    }

    // An explicit JSON null clears a schema; an absent field keeps it.
    private static string? NullIfJsonNull(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetRawText();
}
