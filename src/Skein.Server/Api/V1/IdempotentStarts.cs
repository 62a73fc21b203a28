using System.Text.Json;
using Skein.Store.Idempotency;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>Idempotency-Key</c> on start-run: the first request claims the key (<see cref="IdempotencyRecords"/>), runs,
/// and stores its answer; repeats get that answer again. A repeat while the first is still running is 409.
/// </summary>
public sealed class IdempotentStarts(IdempotencyRecords records)
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

        if (!await records.TryClaimAsync(apiKeyId, key, cancellationToken))
        {
            var first = await records.AnswerAsync(apiKeyId, key, cancellationToken);
            return first.Response is null
                ? Problems.Of("idempotency_in_progress", "a request with this Idempotency-Key is still being processed")
                : TypedResults.Text(first.Response, "application/json", statusCode: first.StatusCode);
        }

        T response;
        try
        {
            response = await start();
        }
        catch
        {
            // The first attempt failed (e.g. invalid input): release the key so a corrected retry can use it.
            await records.ReleaseAsync(apiKeyId, key, CancellationToken.None);
            throw;
        }

        await records.CompleteAsync(
            apiKeyId,
            key,
            JsonSerializer.Serialize(response, Web),
            StatusCodes.Status202Accepted,
            CancellationToken.None
        );
        return TypedResults.Accepted((string?)null, response);
    }
}
