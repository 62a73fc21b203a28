using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>Idempotency-Key</c> on start-run: the first request claims the key (a unique row), runs, and
/// stores its answer; repeats get that answer again. A repeat while the first is still running is 409.
/// </summary>
public sealed class IdempotentStarts(IDbContextFactory<SkeinDbContext> contexts, TimeProvider time)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public async Task<IResult> RunOnceAsync<T>(
        Guid apiKeyId,
        string? key,
        Func<Task<T>> start,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return TypedResults.Accepted((string?)null, await start());
        }

        if (key.Length > 200)
        {
            return Problems.Invalid("Idempotency-Key is at most 200 characters");
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
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
            }
            catch (DbUpdateException)
            {
                return await ReplayAsync(apiKeyId, key, cancellationToken);
            }
        }

        T response;
        try
        {
            response = await start();
        }
        catch
        {
            // The first attempt failed (e.g. invalid input): release the key so a corrected retry can use it.
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            await db
                .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
                .ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }

        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
        {
            var json = JsonSerializer.Serialize(response, Web);
            await db
                .IdempotencyRecords.Where(r => r.ApiKeyId == apiKeyId && r.Key == key)
                .ExecuteUpdateAsync(
                    u =>
                        u.SetProperty(r => r.Response, json)
                            .SetProperty(r => r.StatusCode, StatusCodes.Status202Accepted),
                    CancellationToken.None
                );
        }

        return TypedResults.Accepted((string?)null, response);
    }

    private async Task<IResult> ReplayAsync(Guid apiKeyId, string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var first = await db
            .IdempotencyRecords.AsNoTracking()
            .FirstAsync(r => r.ApiKeyId == apiKeyId && r.Key == key, cancellationToken);
        return first.Response is null
            ? TypedResults.Problem(
                detail: "a request with this Idempotency-Key is still being processed",
                statusCode: StatusCodes.Status409Conflict,
                title: "idempotency_in_progress"
            )
            : Results.Text(first.Response, "application/json", statusCode: first.StatusCode);
    }
}
