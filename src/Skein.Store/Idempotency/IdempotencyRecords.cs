using Microsoft.EntityFrameworkCore;
using Skein.Store.Rows;

namespace Skein.Store.Idempotency;

/// <summary>A stored answer to an <c>Idempotency-Key</c>: null <see cref="Response"/> while the first request
/// runs.</summary>
public sealed record IdempotentAnswer(string? Response, int StatusCode);

/// <summary>
/// <c>idempotency_records</c>: the first request with a key claims it (a unique row), stores its answer when done,
/// and releases it when it failed, so a corrected retry can use the key.
/// </summary>
public sealed class IdempotencyRecords(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    /// <summary>True when this request claimed the key; false when another request already had.</summary>
    public async Task<bool> TryClaimAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
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

    public async Task ReleaseAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db
            .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async Task CompleteAsync(
        Guid apiKeyId,
        string key,
        string response,
        int statusCode,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db
            .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
            .ExecuteUpdateAsync(
                u => u.SetProperty(r => r.Response, response).SetProperty(r => r.StatusCode, statusCode),
                cancellationToken
            );
    }

    public async Task<IdempotentAnswer> AnswerAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .IdempotencyRecords.AsNoTracking()
            .Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
            .Select(r => new IdempotentAnswer(r.Response, r.StatusCode))
            .FirstAsync(cancellationToken);
    }
}
