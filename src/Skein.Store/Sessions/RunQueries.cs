using Microsoft.EntityFrameworkCore;
using Skein.Core.Runs;

namespace Skein.Store.Sessions;

/// <summary>What the engine's background services look for: runs to resume and waits that are due.</summary>
public sealed class RunQueries(IDbContextFactory<SkeinDbContext> contexts)
{
    private static readonly string[] Timed = [nameof(RunStatus.WaitingForTimer), nameof(RunStatus.WaitingForResponse)];

    /// <summary>
    /// A child in one of these keeps its parent parked (SPEC section 9): the parent has nothing to do until the child
    /// reports, and that report gets it a driver. A child asking its parent (WaitingForAITL) is not among them.
    /// </summary>
    public static readonly string[] ChildAtWork =
    [
        nameof(RunStatus.Running),
        nameof(RunStatus.WaitingForHITL),
        nameof(RunStatus.WaitingForTimer),
        nameof(RunStatus.WaitingForResponse),
    ];

    /// <summary>Running runs, except parents parked on a child at work.</summary>
    public async Task<IReadOnlyList<RunRef>> RunningAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Runs.AsNoTracking()
            .Where(r =>
                r.Status == nameof(RunStatus.Running)
                && !db.Runs.Any(c =>
                    c.SessionId == r.SessionId && c.ParentRunId == r.Id && ChildAtWork.Contains(c.Status)
                )
            )
            .Select(r => new RunRef(r.SessionId, r.Id))
            .ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RunRef>> DueAsync(DateTimeOffset now, int take, CancellationToken cancellationToken)
    {
        var at = now.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Runs.AsNoTracking()
            .Where(r => Timed.Contains(r.Status) && r.WakeAt != null && r.WakeAt <= at)
            .OrderBy(r => r.WakeAt)
            .Take(take)
            .Select(r => new RunRef(r.SessionId, r.Id))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Unfinished sessions whose time limit passed at <paramref name="now"/> (their <c>deadline_at</c>),
    /// oldest deadline first.</summary>
    public async Task<IReadOnlyList<Guid>> OverdueSessionsAsync(
        DateTimeOffset now,
        int take,
        CancellationToken cancellationToken
    )
    {
        var at = now.UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .Sessions.AsNoTracking()
            .Where(s => s.DeadlineAt != null && s.DeadlineAt <= at)
            .OrderBy(s => s.DeadlineAt)
            .Take(take)
            .Select(s => s.Id)
            .ToListAsync(cancellationToken);
    }
}

public sealed record RunRef(Guid SessionId, Guid RunId);
