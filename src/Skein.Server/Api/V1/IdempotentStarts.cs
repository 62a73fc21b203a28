using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Skein.Core;
using Skein.Store.Idempotency;

namespace Skein.Server.Api.V1;

/// <summary>
/// <c>Idempotency-Key</c> on start-run: the first request claims the key (<see cref="IdempotencyRecords"/>), runs,
/// and stores its answer; repeats get that answer again. A repeat while the first is still running is 409.
/// </summary>
public sealed class IdempotentStarts(IdempotencyRecords records)
{
    public const int MaxKeyLength = 200;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public async Task<Results<Accepted<T>, ContentHttpResult, ProblemHttpResult>> RunOnceAsync<T>(
        Guid apiKeyId,
        string? key,
        Func<Task<Result<T>>> start,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return Answer(await start());
        }

        if (key.Length > MaxKeyLength)
        {
            return Problems.Invalid($"Idempotency-Key is at most {MaxKeyLength} characters");
        }

        if (!await records.TryClaimAsync(apiKeyId, key, cancellationToken))
        {
            var first = await records.AnswerAsync(apiKeyId, key, cancellationToken);
            return first.Response is null
                ? Problems.Of("idempotency_in_progress", "a request with this Idempotency-Key is still being processed")
                : TypedResults.Text(first.Response, "application/json", statusCode: first.StatusCode);
        }

        Result<T> response;
        try
        {
            response = await start();
        }
        catch
        {
            await records.ReleaseAsync(apiKeyId, key, CancellationToken.None);
            throw;
        }

        if (!response.IsSuccess)
        {
            // The first attempt was refused (e.g. invalid input): release the key so a corrected retry can use it.
            await records.ReleaseAsync(apiKeyId, key, CancellationToken.None);
            return Problems.From(response.Error);
        }

        await records.CompleteAsync(
            apiKeyId,
            key,
            JsonSerializer.Serialize(response.Value, Web),
            StatusCodes.Status202Accepted,
            CancellationToken.None
        );
        return TypedResults.Accepted((string?)null, response.Value);
    }

    private static Results<Accepted<T>, ContentHttpResult, ProblemHttpResult> Answer<T>(Result<T> response) =>
        response.IsSuccess ? TypedResults.Accepted((string?)null, response.Value) : Problems.From(response.Error);
}
