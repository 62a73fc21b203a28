using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Server.Auth;

namespace Skein.Server.Tests.Hardening;

/// <summary>
/// Requests with unknown API keys (issue 15, items 2 and 5): the negative cache is bounded, and refusals are logged
/// at Debug with at most a Warning summary, so an unauthenticated caller can grow neither memory nor the log.
/// </summary>
public sealed class UnknownKeyTests(ApiServers servers) : ApiTests(servers)
{
    private static string RandomKey() => "phk_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    private async Task SendUnknownKeysAsync(int count)
    {
        using var client = Server.CreateClient();
        await Parallel.ForAsync(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
            async (_, cancellationToken) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
                request.Headers.Add("X-API-Key", RandomKey());
                using var response = await client.SendAsync(request, cancellationToken);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        );
    }

    [StoreFact]
    public async Task Random_unknown_keys_never_grow_the_negative_cache_past_its_bound()
    {
        var authenticator = Server.Services.GetRequiredService<ApiKeyAuthenticator>();

        await SendUnknownKeysAsync(ApiKeyAuthenticator.MaxUnknownCached + 1_500);

        Assert.InRange(authenticator.UnknownCached, 1, ApiKeyAuthenticator.MaxUnknownCached);
        using var api = Server.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/agents", Ct)).StatusCode);
    }

    [StoreFact]
    public async Task Refused_keys_log_nothing_above_debug_but_one_rate_limited_warning()
    {
        var log = new LevelLog();
        Server.Services.GetRequiredService<ILoggerFactory>().AddProvider(log);

        await SendUnknownKeysAsync(300);
        log.Stop();

        var loud = log.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        Assert.True(
            loud.Count <= 1,
            $"{loud.Count} lines at Information or above:\n" + string.Join("\n", loud.Take(5).Select(e => e.Text))
        );
        Assert.All(loud, e => Assert.Equal(LogLevel.Warning, e.Level));
    }

    private sealed record Entry(LogLevel Level, string Category, string Text);

    /// <summary>Every line the server logs while the test sends its requests.</summary>
    private sealed class LevelLog : ILoggerProvider
    {
        private readonly List<Entry> _entries = [];
        private volatile bool _stopped;

        public IReadOnlyList<Entry> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public void Stop() => _stopped = true;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(LevelLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(
                LogLevel logLevel,
                EventId eventId,
                TState state,
                Exception? exception,
                Func<TState, Exception?, string> formatter
            )
            {
                // Only the request path: the engine's own lines (runs of other tests' agents) are not refusals.
                if (log._stopped || category.StartsWith("Skein.Engine", StringComparison.Ordinal))
                {
                    return;
                }

                lock (log._entries)
                {
                    log._entries.Add(new Entry(logLevel, category, formatter(state, exception)));
                }
            }
        }
    }
}
