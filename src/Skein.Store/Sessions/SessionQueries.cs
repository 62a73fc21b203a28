using Microsoft.EntityFrameworkCore;
using Skein.Core.Steps;
using Skein.Store.Rows;

namespace Skein.Store.Sessions;

/// <summary>Read side for sessions: rows as projected, never the event stream.</summary>
public sealed partial class SessionQueries(IDbContextFactory<SkeinDbContext> contexts)
{
    public async Task<SessionDetail?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var runs = await db
            .Runs.AsNoTracking()
            .Where(r => r.SessionId == sessionId)
            .OrderBy(r => r.StartedAt)
            .ThenBy(r => r.Id)
            .ToListAsync(cancellationToken);
        var steps = await db
            .Steps.AsNoTracking()
            .Where(s => s.SessionId == sessionId)
            .OrderBy(s => s.EventSequence)
            .ToListAsync(cancellationToken);

        // The store keeps each step's payload; its wire content adds the envelope of ids from the step's own rows.
        // A child run started between the two reads has steps but no row here yet: its steps wait for the next read.
        var runById = runs.ToDictionary(r => r.Id);
        steps.RemoveAll(s => !runById.ContainsKey(s.RunId));
        foreach (var step in steps)
        {
            var run = runById[step.RunId];
            step.Content = StepContent.WithEnvelope(
                step.Content,
                new StepEnvelope(
                    step.SessionId,
                    step.RunId,
                    step.TenantId,
                    run.AgentId,
                    run.AgentVersionId,
                    step.Id,
                    step.Sequence
                )
            );
        }

        return new SessionDetail(session, runs, steps);
    }

    /// <summary>A session with its root run's steps as stored (payload content, no envelope of ids), in session
    /// order: what a rerun or a fork starts from. Null for an unknown session.</summary>
    public async Task<(SessionRow Session, IReadOnlyList<StepRow> RootSteps)?> SourceAsync(
        Guid sessionId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var steps = await db
            .Steps.AsNoTracking()
            .Where(s => s.SessionId == sessionId && s.RunId == session.RootRunId)
            .OrderBy(s => s.EventSequence)
            .ToListAsync(cancellationToken);
        return (session, steps);
    }

    /// <summary>How many root-run steps of <paramref name="sessionId"/> lie at or before session sequence
    /// <paramref name="sequence"/>: the steps a fork from there copied (null when the session is gone).</summary>
    public async Task<int?> RootStepsUpToAsync(Guid sessionId, long sequence, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var root = await db
            .Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Select(s => (Guid?)s.RootRunId)
            .FirstOrDefaultAsync(cancellationToken);
        return root is { } rootRunId
            ? await db.Steps.CountAsync(
                s => s.SessionId == sessionId && s.RunId == rootRunId && s.EventSequence <= sequence,
                cancellationToken
            )
            : null;
    }

    /// <summary>The workspace created on first start; every row carries its id.</summary>
    public async Task<Guid> DefaultTenantAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Workspaces.AsNoTracking()
            .OrderBy(w => w.CreatedAt)
            .Select(w => w.Id)
            .FirstAsync(cancellationToken);
    }

    public async Task<Guid?> SessionOfRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Runs.AsNoTracking()
            .Where(r => r.Id == runId)
            .Select(r => (Guid?)r.SessionId)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<(RunRow Run, SessionRow Session)?> RunWithSessionAsync(
        Guid runId,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await (
            from r in db.Runs.AsNoTracking()
            join s in db.Sessions.AsNoTracking() on r.SessionId equals s.Id
            where r.Id == runId
            select new { r, s }
        ).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : (row.r, row.s);
    }

    public async Task<string?> StatusAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Select(s => s.Status)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The session's stream version (its last event's sequence: one index seek) and status; null for an
    /// unknown session.</summary>
    public async Task<SessionVersion?> VersionAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        // One statement, so one snapshot: read as two queries, a commit landing between them paired the new version
        // with the old status, and a live feed that had sent that version never sent the final status.
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db
            .Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId)
            .Select(s => new
            {
                s.Status,
                Version = db.SessionEvents.Where(e => e.SessionId == sessionId).Max(e => (long?)e.Sequence),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new SessionVersion(row.Version ?? 0, row.Status);
    }

    /// <summary>
    /// The exact number of sessions the filter matches, summed from the maintained counts (one row per agent
    /// version, trigger and status): constant time however many sessions there are, where counting the sessions
    /// themselves reads one index entry per match (about 100 ms at a million).
    /// </summary>
    public async Task<int> CountAsync(SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // A sum over the maintained counts, never a count of sessions: an API key's list (scoped to its triggers)
        // over a million sessions costs what an unscoped one does.
        var q = db.SessionCounts.AsNoTracking().Where(c => c.TenantId == filter.TenantId);
        if (filter.TriggerIds is { } triggerIds)
        {
            q = q.Where(c => triggerIds.Contains(c.TriggerId));
        }

        if (filter.AgentId is { } agentId)
        {
            q = q.Where(c => c.AgentId == agentId);
        }

        if (filter.AgentVersionId is { } versionId)
        {
            q = q.Where(c => c.AgentVersionId == versionId);
        }

        if (filter.Status is { } status)
        {
            q = q.Where(c => c.Status == status);
        }

        return (int)await q.SumAsync(c => c.Sessions, cancellationToken);
    }

    /// <summary>The workspace/agent/version/status filter every session list shares (API pages and the
    /// dashboard).</summary>
    internal static IQueryable<SessionRow> Filtered(SkeinDbContext db, SessionFilter filter)
    {
        var q = db.Sessions.AsNoTracking().Where(s => s.TenantId == filter.TenantId);
        if (filter.AgentId is { } agentId)
        {
            q = q.Where(s => s.AgentId == agentId);
        }

        if (filter.AgentVersionId is { } versionId)
        {
            q = q.Where(s => s.AgentVersionId == versionId);
        }

        if (filter.Status is { } status)
        {
            q = q.Where(s => s.Status == status);
        }

        if (filter.TriggerIds is { } triggerIds)
        {
            q = q.Where(s => s.TriggerId != null && triggerIds.Contains(s.TriggerId.Value));
        }

        return q;
    }

    /// <summary>Newest first; (started_at, id) makes the order total so pages never overlap.</summary>
    public async Task<IReadOnlyList<SessionRow>> ListAsync(SessionFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await Filtered(db, filter)
            .OrderByDescending(s => s.StartedAt)
            .ThenByDescending(s => s.Id)
            .Skip(filter.Skip)
            .Take(filter.Take)
            .ToListAsync(cancellationToken);
    }
}

public sealed record SessionDetail(SessionRow Session, IReadOnlyList<RunRow> Runs, IReadOnlyList<StepRow> Steps);

public sealed record SessionFilter(Guid TenantId, int Take = 50)
{
    public Guid? AgentId { get; init; }
    public Guid? AgentVersionId { get; init; }
    public string? Status { get; init; }
    public int Skip { get; init; }

    /// <summary>When set, only sessions started by one of these triggers (an API key's scope).</summary>
    public IReadOnlyList<Guid>? TriggerIds { get; init; }
}

/// <summary>A session's stream version (last event sequence) and status: what a live view compares.</summary>
public sealed record SessionVersion(long Version, string Status);
