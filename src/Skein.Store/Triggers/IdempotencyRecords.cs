using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Triggers;

/// <summary>
/// The store side of <c>Idempotency-Key</c> on start-run: a unique (key id, key) row claimed by the first request,
/// completed with its answer, released when the first attempt failed.
/// </summary>
public sealed class IdempotencyRecords(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    /// <summary>The first request's answer so far: null <see cref="Response"/> while it is still running.</summary>
    public sealed record Answer(string? Response, int StatusCode);

    /// <summary>Claims the key; false when another request already did.</summary>
    public async Task<bool> ClaimAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.IdempotencyRecords.Add(
            new IdempotencyRecordRow
            {
                ApiKeyId = apiKeyId,
                Key = key,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            }
        );
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false;
        }
    }

    public async Task CompleteAsync(Guid apiKeyId, string key, string response, int statusCode)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db
            .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
            .ExecuteUpdateAsync(
                u => u.SetProperty(r => r.Response, response).SetProperty(r => r.StatusCode, statusCode),
                CancellationToken.None
            );
    }

    /// <summary>Frees the key after a failed first attempt, so a corrected retry can use it.</summary>
    public async Task ReleaseAsync(Guid apiKeyId, string key)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db
            .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
            .ExecuteDeleteAsync(CancellationToken.None);
    }

    public async Task<Answer> AnswerAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var first = await db
            .IdempotencyRecords.AsNoTracking()
            .FirstAsync(r => r.ApiKeyId == apiKeyId && r.Key == key, cancellationToken);
        return new Answer(first.Response, first.StatusCode);
    }
}
