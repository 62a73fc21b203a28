using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Hardening;

/// <summary>
/// Thousands of malformed requests, from a fixed seed, across every <c>/v1</c>, <c>/api</c> and <c>/hooks</c> route
/// the server maps (read from its endpoint data source, so a new route is covered without editing this test): bad
/// JSON, wrong types, huge and non-finite numbers, NUL and lone surrogates, duplicate keys, invalid UTF-8, bogus
/// charsets, deep nesting, oversized bodies, YAML bombs, broken multipart. No answer may be a 5xx, the server stays
/// healthy, and the SQLite file passes <c>PRAGMA integrity_check</c>.
/// </summary>
public sealed partial class HostileInputFuzzTests(ApiServers servers) : ApiTests(servers)
{
    private const int Seed = 15_2026;
    private const int Parallelism = 8;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private sealed record Target(string Method, string Template);

    private sealed record Known(
        Guid AgentId,
        Guid ApiTriggerId,
        Guid EventTriggerId,
        string EventSecret,
        Guid RunId,
        Guid SessionId,
        Guid VersionId
    );

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();

    [StoreFact]
    public async Task Thousands_of_malformed_requests_on_every_route_get_no_5xx_and_leave_the_store_intact()
    {
        var count = StoreKind == StoreKind.Sqlite ? 5_200 : 1_500;
        var known = await ArrangeAsync();
        var targets = Targets();
        Assert.Contains(targets, t => t.Template.StartsWith("/hooks/", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Template.StartsWith("/v1/", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Template == "/api/manifests/apply");

        var errors = new ErrorLog();
        Server.Services.GetRequiredService<ILoggerFactory>().AddProvider(errors);
        var failures = new List<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        var client = Server.CreateClient();
        var plan = Enumerable.Range(0, count).Select(i => (Index: i, Random: new Random(Seed + i))).ToList();
        await Parallel.ForEachAsync(
            plan,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = Ct },
            async (item, cancellationToken) =>
            {
                var target = targets[item.Random.Next(targets.Count)];
                using var request = Build(item.Random, target, known);
                var what = $"#{item.Index} {request.Method} {Short(request.RequestUri?.ToString())}";
                var failure = await SendAsync(client, request, cancellationToken);
                Interlocked.Increment(ref sent);
                if (failure is not null)
                {
                    lock (failures)
                    {
                        failures.Add($"{what}: {failure}");
                    }
                }

                if (item.Index % 500 == 0)
                {
                    var health = await client.GetAsync("/healthz", cancellationToken);
                    if (health.StatusCode != HttpStatusCode.OK)
                    {
                        lock (failures)
                        {
                            failures.Add($"after #{item.Index}: /healthz answered {(int)health.StatusCode}");
                        }
                    }
                }
            }
        );

        Assert.True(
            failures.Count == 0,
            $"{failures.Count} of {sent} requests got a 5xx or no answer:\n"
                + string.Join("\n", failures.Take(60))
                + "\nserver errors:\n"
                + string.Join("\n", errors.Distinct().Take(40))
        );
        Assert.True(sent >= count, $"only {sent} requests were sent");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", Ct)).StatusCode);
        using var api = Server.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/agents", Ct)).StatusCode);
        if (StoreKind == StoreKind.Sqlite)
        {
            Assert.Equal("ok", await IntegrityCheckAsync());
        }

        TestContext.Current.SendDiagnosticMessage($"{sent} fuzz requests in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task<Known> ArrangeAsync()
    {
        var demo = await Server.DemoAgentAsync();
        using var api = Server.CreateApiClient();
        var started = await Runs.StartAsync(api, demo.AgentId);
        var runId = started.GetProperty("runId").GetGuid();
        var sessionId = started.GetProperty("sessionId").GetGuid();
        var created = await Admin.PostAsJsonAsync(
            $"/api/agents/{demo.AgentId}/triggers",
            new { type = "event", name = "fuzz-" + Guid.NewGuid().ToString("N")[..8] },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var trigger = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var versionId = await db.AgentVersions.Where(v => v.AgentId == demo.AgentId).Select(v => v.Id).FirstAsync(Ct);
        return new Known(
            demo.AgentId,
            demo.TriggerId,
            trigger.GetProperty("id").GetGuid(),
            trigger.GetProperty("signingSecret").GetString() ?? "",
            runId,
            sessionId,
            versionId
        );
    }

    /// <summary>Every mapped route under /v1, /api and /hooks with each of its methods.</summary>
    private List<Target> Targets()
    {
        var source = Server.Services.GetRequiredService<EndpointDataSource>();
        var targets = new List<Target>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var template = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (
                !template.StartsWith("/v1", StringComparison.Ordinal)
                && !template.StartsWith("/api", StringComparison.Ordinal)
                && !template.StartsWith("/hooks", StringComparison.Ordinal)
            )
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            targets.AddRange(methods.Select(m => new Target(m, template)));
        }

        return targets;
    }

    private static HttpRequestMessage Build(Random r, Target target, Known known)
    {
        var streaming = target.Template.Contains("stream", StringComparison.Ordinal);
        var path = Parameter()
            .Replace(target.Template, m =>
                Value(r, m.Groups[1].Value, known, real: !streaming && target.Method != "DELETE")
            );
        var query = r.Next(4) == 0 ? "?" + Pick(r, Queries) : "";
        var method = r.Next(20) == 0 ? Pick(r, ["GET", "POST", "PUT", "DELETE", "PATCH"]) : target.Method;
        var request = new HttpRequestMessage(new HttpMethod(method), path + query);
        var body = method is "GET" or "DELETE" && r.Next(4) != 0 ? null : Body(r, target.Template);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType(r, target.Template));
        }

        if (path.StartsWith("/v1", StringComparison.Ordinal))
        {
            request.Headers.TryAddWithoutValidation(
                "X-API-Key",
                r.Next(10) == 0 ? "phk_" + Guid.NewGuid().ToString("N") : SkeinApiFactory.DemoApiKey
            );
        }
        else if (path.StartsWith("/api", StringComparison.Ordinal))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SkeinApiFactory.AdminToken);
        }
        else
        {
            HookHeaders(r, request, body ?? [], known);
        }

        foreach (var (name, value) in ExtraHeaders(r))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static void HookHeaders(Random r, HttpRequestMessage request, byte[] body, Known known)
    {
        switch (r.Next(6))
        {
            case 0 or 1 or 2:
                Webhooks.Sign(
                    request,
                    known.EventSecret,
                    body,
                    r.Next(3) == 0 ? null : "fuzz-" + r.Next(50),
                    DateTimeOffset.UtcNow
                );
                break;
            case 3:
                Webhooks.Sign(request, "not-the-secret", body, new string('d', r.Next(150, 400)));
                break;
            case 4:
                request.Headers.TryAddWithoutValidation("X-Skein-Timestamp", Pick(r, BadTimestamps));
                request.Headers.TryAddWithoutValidation("X-Skein-Signature", Pick(r, BadSignatures));
                break;
            default:
                Webhooks.Sign(request, known.EventSecret, body, null, DateTimeOffset.UtcNow.AddHours(-1));
                break;
        }
    }

    private static string Value(Random r, string name, Known known, bool real)
    {
        if (real && r.Next(2) == 0)
        {
            switch (name)
            {
                case "agentId":
                    return known.AgentId.ToString();
                case "triggerId":
                    return (r.Next(2) == 0 ? known.EventTriggerId : known.ApiTriggerId).ToString();
                case "runId":
                    return known.RunId.ToString();
                case "sessionId":
                    return known.SessionId.ToString();
                case "versionId":
                    return known.VersionId.ToString();
            }
        }

        return r.Next(3) == 0 ? Guid.NewGuid().ToString() : Pick(r, BadSegments);
    }

    private static byte[] Body(Random r, string template)
    {
        if (template.Contains("manifests", StringComparison.Ordinal) && r.Next(2) == 0)
        {
            return Encoding.UTF8.GetBytes(Pick(r, HostileYaml()));
        }

        return r.Next(12) switch
        {
            0 => Encoding.UTF8.GetBytes(Pick(r, MalformedJson)),
            1 => Encoding.UTF8.GetBytes(Pick(r, WrongTypes)),
            2 => Encoding.UTF8.GetBytes(Pick(r, HugeNumbers)),
            3 => Encoding.UTF8.GetBytes(Pick(r, NulAndSurrogates)),
            4 => Encoding.UTF8.GetBytes(Pick(r, DuplicateKeys)),
            5 => Pick(r, InvalidUtf8),
            6 => Encoding.UTF8.GetBytes(Nested(r)),
            7 when r.Next(8) == 0 => Oversized(r),
            8 => Encoding.UTF8.GetBytes(Pick(r, Multipart)),
            _ => Encoding.UTF8.GetBytes(Pick(r, PlausibleButWrong)),
        };
    }

    private static string ContentType(Random r, string template) =>
        r.Next(5) switch
        {
            0 => Pick(r, BadContentTypes),
            1 when template.Contains("manifests", StringComparison.Ordinal) => "application/yaml",
            _ => "application/json",
        };

    private static IEnumerable<(string, string)> ExtraHeaders(Random r)
    {
        if (r.Next(10) == 0)
        {
            yield return ("Idempotency-Key", r.Next(2) == 0 ? new string('k', 300) : "fuzz-" + r.Next(5));
        }

        if (r.Next(20) == 0)
        {
            yield return ("Last-Event-ID", Pick(r, ["-1", "abc", "99999999999999999999999", "1e9"]));
        }
    }

    private static string Nested(Random r)
    {
        var depth = Pick(r, [32, 62, 63, 64, 65, 200, 1_000, 20_000]);
        return r.Next(3) switch
        {
            0 => new string('[', depth) + new string(']', depth),
            1 => "{\"input\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "{}" + new string('}', depth + 1),
            _ => "{\"text\":\"x\",\"input\":" + new string('[', depth) + new string(']', depth) + "}",
        };
    }

    private static byte[] Oversized(Random r)
    {
        var size = Pick(r, [1_100_000, 2_500_000]);
        return Encoding.UTF8.GetBytes("{\"input\":{\"blob\":\"" + new string('x', size) + "\"}}");
    }

    private static string? Short(string? text) => text is { Length: > 120 } ? text[..120] + "…" : text;

    private static T Pick<T>(Random r, IReadOnlyList<T> values) => values[r.Next(values.Count)];

    private static async Task<string?> SendAsync(
        HttpClient client,
        HttpRequestMessage request,
        CancellationToken cancellationToken
    )
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await client.SendAsync(
                request,
                HttpCompletionOption.ResponseHeadersRead,
                timeout.Token
            );
            var status = (int)response.StatusCode;
            if (status < 500)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return $"{status} {Short(body)}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {RequestTimeout.TotalSeconds} s";
        }
    }

    private async Task<string?> IntegrityCheckAsync()
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        DbConnection connection = db.Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (await command.ExecuteScalarAsync(Ct))?.ToString();
    }

    // No %00: the in-process test host refuses it before the server sees it (Kestrel answers 400).
    private static readonly string[] BadSegments =
    [
        "not-a-guid",
        "-1",
        "1e999",
        "%F0%9F%92%A5",
        "%ED%A0%80",
        "..",
        "%2E%2E",
        new string('a', 3000),
        "00000000-0000-0000-0000-000000000000",
        "null",
        "%27%20OR%201%3D1",
    ];

    private static readonly string[] Queries =
    [
        "skip=-1&take=1e9",
        "take=2147483648",
        "dryRun=maybe",
        "dryRun=true",
        "values=%00",
        "values=a%3A%20%26x%0Ab%3A%20*x",
        "status=%00",
        "stepContent=%FF",
        "versionId=1e999",
        "skip=99999999999999999999999",
        "lastEventId=-5",
    ];

    private static readonly string[] MalformedJson =
    [
        "{",
        "{\"input\":",
        "{'input': {}}",
        "{\"input\": {}}}",
        "not json",
        "{\"input\": NaN}",
        "{\"input\": Infinity}",
        "[1, 2,",
        "{\"input\": \"unterminated}",
        "{,}",
        "",
        " ",
        "\u0000",
        "{\"a\":01}",
        "/* comment */ {}",
        "{\"a\":1,}",
    ];

    private static readonly string[] WrongTypes =
    [
        "[]",
        "42",
        "\"text\"",
        "null",
        "true",
        "{\"input\": 42}",
        "{\"input\": [1, 2]}",
        "{\"name\": 5, \"scopes\": \"all\", \"active\": \"yes\", \"rpmLimit\": \"ten\"}",
        "{\"type\": [\"event\"], \"name\": {}}",
        "{\"userTaskId\": 5, \"approved\": \"no\", \"numberValue\": \"x\"}",
        "{\"versionId\": true, \"input\": null}",
        "{\"filename\": 1, \"mediaType\": [], \"maxContentLength\": \"big\"}",
        "{\"ipAllowlist\": [null, 5, \"999.1.1.1/77\"]}",
        "{\"scopes\": [{\"agentId\": 1, \"triggerId\": []}]}",
        "{\"cron\": 5, \"timeZone\": \"Mars/Olympus\"}",
    ];

    private static readonly string[] HugeNumbers =
    [
        "{\"input\": {\"n\": 1e999}}",
        "{\"input\": 1e999}",
        "{\"rpmLimit\": 1e999}",
        "{\"maxConcurrentRuns\": -1e400}",
        "{\"take\": 99999999999999999999999999}",
        "{\"numberValue\": 1e999, \"userTaskId\": \"00000000-0000-0000-0000-000000000000\"}",
        "{\"maxContentLength\": 184467440737095516150}",
        "{\"temperature\": 1e308, \"maxIterations\": 4294967296}",
        "{\"input\": {\"n\": -0.0000000000000000000000000000000000000000001e-400}}",
    ];

    private static readonly string[] NulAndSurrogates =
    [
        "{\"name\": \"a\\u0000b\"}",
        "{\"input\": {\"k\\u0000\": \"v\"}}",
        "{\"text\": \"\\ud800\"}",
        "{\"input\": {\"a\": \"\\udfff\"}}",
        "{\"input\": {\"\\ud800\": 1}}",
        "{\"name\": \"\\ud83d\"}",
        "{\"text\": \"hi\\u0000\", \"message\": \"\\ud800\\ud800\"}",
        "{\"input\": {\"password\": \"\\ud800\"}}",
    ];

    private static readonly string[] DuplicateKeys =
    [
        "{\"input\": {}, \"input\": {}}",
        "{\"a\": 1, \"a\": 2}",
        "{\"input\": {\"a\": 1, \"a\": 2}}",
        "{\"name\": \"x\", \"name\": \"y\"}",
        "{\"token\": \"1\", \"token\": \"2\", \"data\": {\"x\": 1, \"x\": 1}}",
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF, 0xFE, 0xFD],
        [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'],
        [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}'],
        [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'],
        [0x00, 0x00, 0x00, 0x7B],
    ];

    private static readonly string[] Multipart =
    [
        "--x\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\nkind: phrony.manifest\r\n--y--\r\n",
        "--x\r\nContent-Disposition: form-data; name=\"manifest\"\r\n\r\n",
        "garbage without boundaries",
        "--x--\r\n",
    ];

    private static readonly string[] PlausibleButWrong =
    [
        "{}",
        "{\"input\": {}}",
        "{\"text\": \"\"}",
        "{\"runId\": \"00000000-0000-0000-0000-000000000000\", \"text\": \"hi\"}",
        "{\"name\": \"\", \"scopes\": []}",
        "{\"type\": \"nope\", \"name\": \"x\"}",
        "{\"type\": \"scheduled\", \"name\": \"x\", \"cron\": \"* * * * * * * *\"}",
        "{\"type\": \"event\", \"name\": \"x\", \"inputPath\": \"a..b\"}",
        "{\"name\": \"" + new string('n', 5000) + "\"}",
        "{\"instructions\": \"" + new string('i', 200_000) + "\"}",
        "{\"inputSchema\": {\"type\": \"nope\"}, \"outputSchema\": 5}",
        "{\"guardRules\": [{\"when\": {\"argument\": {\"pattern\": \"(a+)+b\"}}}]}",
        "{\"baseUrl\": \"javascript:alert(1)\", \"kind\": \"openai\"}",
        "{\"value\": null, \"name\": \"../../etc/passwd\"}",
    ];

    private static readonly string[] BadContentTypes =
    [
        "application/json; charset=bogus",
        "application/json; charset=utf-16",
        "application/json; charset=\"\"",
        "application/json; charset=utf-7",
        "text/plain",
        "application/yaml; charset=bogus",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=bogus",
        "image/png",
        ";;;",
    ];

    private static readonly string[] BadTimestamps = ["", "soon", "-1", "1e10", "99999999999999999999", "0"];

    private static readonly string[] BadSignatures = ["", "sha256=", "sha256=zz", "md5=00", new string('f', 5000)];

    private static string[] HostileYaml() =>
        [
            new string('[', 20_000),
            new string('[', 2_000) + new string(']', 2_000),
            string.Concat(Enumerable.Repeat("- ", 3_000)) + "x",
            """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                """,
            "kind: phrony.manifest\nversion: 1\nagents:\n  - manifestKey: a\n    name: 1e999\n",
            "kind: phrony.manifest\nversion: 1e999\n",
            "kind: phrony.manifest\nversion: 1\nagents: *nope\n",
            "kind: phrony.manifest\nversion: 1\n? [a, b]\n: c\n",
            "kind: phrony.manifest\nversion: 1\nagents:\n  - {name: \"\\0\", manifestKey: \"\\uD800\"}\n",
            "%YAML 9.9\n---\nx: 1\n",
            "x: !!binary not-base64\n",
            "x: !custom {a: 1}\n",
            "---\n---\n---\n",
            "\t- bad: indentation\n",
        ];

    /// <summary>The server's Error lines while the test runs, to say why a request got a 5xx.</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public IEnumerable<string> Distinct()
        {
            lock (_lines)
            {
                return [.. _lines.GroupBy(l => l).Select(g => $"{g.Count()}x {g.Key}")];
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(ErrorLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(
                LogLevel logLevel,
                EventId eventId,
                TState state,
                Exception? exception,
                Func<TState, Exception?, string> formatter
            )
            {
                if (logLevel < LogLevel.Error)
                {
                    return;
                }

                var frame = exception
                    ?.StackTrace?.Split('\n')
                    .FirstOrDefault(l => l.Contains("Skein.", StringComparison.Ordinal));
                var line =
                    $"{formatter(state, exception)} | {exception?.GetType().Name}: "
                    + $"{exception?.Message.Split('\n')[0]} @ {frame?.Trim()}";
                lock (log._lines)
                {
                    log._lines.Add(line);
                }
            }
        }
    }
}
