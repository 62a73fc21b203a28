using Microsoft.EntityFrameworkCore;
using Skein.Core;
using Skein.Store;

namespace Skein.Application;

/// <summary>
/// One transaction around a service method: commits when the work succeeds, rolls back when it returns a
/// <see cref="DomainError"/>. A rule Core enforces by throwing and a lost unique-index race both come back as errors.
/// </summary>
internal static class UnitOfWork
{
    public const string ConcurrentChange = "the workspace changed at the same time; reload and try again";

    public static async Task<Result<T>> RunAsync<T>(
        IDbContextFactory<SkeinDbContext> contexts,
        Func<SkeinDbContext, Task<Result<T>>> work,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await GuardAsync(() => work(db));
        if (!result.IsSuccess)
        {
            return result;
        }

        var saved = await GuardAsync(async () =>
        {
            await db.SaveChangesAsync(cancellationToken);
            return Result<Unit>.Ok(Unit.Value);
        });
        if (!saved.IsSuccess)
        {
            return saved.Error;
        }

        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs <paramref name="work"/> inside the caller's unit of work, turning refusals into errors.</summary>
    public static async Task<Result<T>> GuardAsync<T>(Func<Task<Result<T>>> work)
    {
        try
        {
            return await work();
        }
        catch (DomainException e)
        {
            return e.Error;
        }
        catch (DbUpdateException)
        {
            return DomainError.Conflict(ConcurrentChange);
        }
    }

    /// <summary>Saves inside a unit of work; a lost unique-index race is a conflict, not a 500.</summary>
    public static async Task SaveAsync(SkeinDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new DomainException(DomainError.Conflict(ConcurrentChange));
        }
    }

    /// <summary>Whether the next save writes <paramref name="row"/>: an edit that changes nothing is not
    /// audited.</summary>
    public static bool Changed(SkeinDbContext db, object row)
    {
        var entry = db.Entry(row);
        entry.DetectChanges();
        return entry.State is EntityState.Added || entry.Properties.Any(p => p.IsModified);
    }
}
