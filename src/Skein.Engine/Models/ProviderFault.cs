using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net.Http.Headers;

namespace Skein.Engine.Models;

/// <summary>
/// A provider error worth trying again later (429 and 5xx, SPEC section 12), with the provider's <c>Retry-After</c>
/// when it sent one. Everything else a provider throws fails the run at once.
/// </summary>
public sealed record ProviderFault(string Message, TimeSpan? RetryAfter)
{
    /// <summary>The fault <paramref name="exception"/> stands for, or null when it is not transient.</summary>
    public static ProviderFault? Transient(Exception exception, DateTimeOffset now) =>
        exception switch
        {
            ClientResultException { Status: var status } e when IsTransient(status) => new(
                e.Message,
                RetryAfterOf(e.GetRawResponse(), now)
            ),
            HttpRequestException { StatusCode: { } code } e when IsTransient((int)code) => new(e.Message, null),
            _ => null,
        };

    /// <summary>429 (rate limited), 529 (overloaded) and any other 5xx.</summary>
    public static bool IsTransient(int status) => status is 429 or (>= 500 and < 600);

    /// <summary>The wait a response asks for: <c>Retry-After</c> in seconds or as a date.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };

    private static TimeSpan? RetryAfterOf(PipelineResponse? response, DateTimeOffset now)
    {
        if (response is null || !response.Headers.TryGetValue("Retry-After", out var value) || value is null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return RetryConditionHeaderValue.TryParse(value, out var parsed) && parsed.Date is { } date
            ? date > now
                ? date - now
                : TimeSpan.Zero
            : null;
    }
}
