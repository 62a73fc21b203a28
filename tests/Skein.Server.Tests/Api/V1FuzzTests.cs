using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>
/// A few hundred malformed requests, generated from a fixed seed across every <c>/v1</c> route and some
/// <c>/api</c> routes. Client mistakes are 4xx problem JSON, never 5xx, and they change nothing in the store.
/// </summary>
public sealed class V1FuzzTests(ApiServers servers) : ApiTests(servers)
{
    private const int Seed = 20240917;
    private const int RequestCount = 400;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private sealed record Probe(
        string What,
        HttpMethod Method,
        string Path,
        string? Body = null,
        string? ContentType = "application/json"
    )
    {
        public string? ApiKey { get; init; }
        public string? Bearer { get; init; }
        public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

        /// <summary>The statuses the contract names for this mistake; null means any 4xx.</summary>
        public IReadOnlyList<int>? Expected { get; init; }
    }

    private sealed record Targets(
        ApiScope Demo,
        ApiScope Chat,
        Guid CompletedRunId,
        Guid WaitingRunId,
        string Key,
        string DemoOnlyKey
    );

    private sealed record Route(HttpMethod Method, string Template)
    {
        public string With(Guid agentId, Guid runId) =>
            Template.Replace("{agentId}", agentId.ToString()).Replace("{runId}", runId.ToString());
    }

    private static readonly Route[] V1Routes =
    [
        new(HttpMethod.Post, "/v1/agents/{agentId}/runs"),
        new(HttpMethod.Get, "/v1/agents/{agentId}/sessions"),
        new(HttpMethod.Get, "/v1/agents"),
        new(HttpMethod.Get, "/v1/runs/{runId}"),
        new(HttpMethod.Get, "/v1/runs/{runId}/conversation"),
        new(HttpMethod.Get, "/v1/runs/{runId}/stream"),
        new(HttpMethod.Post, "/v1/runs/{runId}/messages"),
        new(HttpMethod.Post, "/v1/runs/{runId}/input"),
        new(HttpMethod.Post, "/v1/runs/{runId}/skip-agent-wait"),
    ];

    private static readonly Route[] WithIds = [.. V1Routes.Where(r => r.Template.Contains('{'))];

    private static readonly string[] BadIds =
    [
        "not-a-guid",
        "123",
        "-1",
        "1e10",
        "00000000-0000-0000-0000-00000000000g",
        "%20",
        "%27%20OR%201%3D1%20--",
        "%7BagentId%7D",
        "null",
        "true",
        "%F0%9F%92%A5",
        new string('a', 2000),
        "9f1c2b3a-0000-0000-0000",
        "%2Fetc%2Fpasswd",
    ];

    private static readonly string[] BadKeys =
    [
        "phk_",
        "phk_short",
        "phk_" + new string('A', 40),
        "phk_" + new string('!', 30),
        "sk-" + new string('x', 40),
        "Bearer phk_x",
        "phk_" + new string('z', 500),
        "PHK_" + new string('B', 30),
        "phk_%00" + new string('C', 30),
        "x",
    ];

    private static readonly string[] MalformedJson =
    [
        "{",
        "}",
        "{\"input\":",
        "{\"input\": {\"a\": 1}",
        "{'input': {}}",
        "{\"input\": {}}}",
        "not json",
        "{\"input\": undefined}",
        "{\"input\": NaN}",
        "\u0000",
        "{\"input\": {\"a\": 01}}",
        "[1, 2,",
        "{\"input\": \"unterminated}",
        "{,}",
        "\"just a string",
        new string('[', 200) + new string(']', 200),
        "{\"a\":" + new string('[', 100) + new string(']', 100) + "}",
    ];

    private static readonly string[] WrongStartBodies =
    [
        "{\"input\": 42}",
        "{\"input\": \"text\"}",
        "{\"input\": [1, 2]}",
        "{\"input\": true}",
        "{\"input\": 1e999}",
        "{\"input\": -99999999999999999999999999999}",
        "{\"input\": {}, \"input\": 5}",
        "[]",
        "[{\"input\": {}}]",
        "42",
        "\"input\"",
        "true",
    ];

    private static readonly string[] BadSessionQueries =
    [
        "skip=-1",
        "skip=abc",
        "skip=99999999999999999999",
        "skip=1.5",
        "take=0",
        "take=101",
        "take=-5",
        "take=1e3",
        "take=abc",
        "take=2147483648",
        "versionId=not-a-guid",
        "versionId=1",
        "status=Bogus",
        "status=completed",
        "status=",
        "status=Completed%00",
        "skip=1&skip=2",
        "take=5&take=x",
        "skip=-2147483648",
    ];

    private static readonly string[] BadStepContents = ["SLIM", "Full", "fat", "slim%20", "1", "", "slim,full", "%00"];

    private static readonly string[] BadEventIds =
    [
        "abc",
        "-1",
        "1.5",
        "1e3",
        "99999999999999999999999",
        "0x10",
        "+5",
        "1,2",
        "NaN",
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "image/png",
    ];

    [StoreFact]
    public async Task Hundreds_of_malformed_requests_get_4xx_problem_json_and_change_nothing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var targets = await ArrangeAsync(cancellationToken);
        var before = await CountRowsAsync(cancellationToken);

        var random = new Random(Seed);
        var generators = Generators(targets);
        var client = Server.CreateClient();
        var probes = Enumerable
            .Range(0, RequestCount)
            .Select(i => generators[i % generators.Count](random))
            .Concat(AdminProbes(random, targets))
            .ToList();
        var failures = new List<string>();
        for (var i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            if (await CheckAsync(client, probe, cancellationToken) is { } failure)
            {
                failures.Add(
                    $"#{i} {probe.What}: {probe.Method} {Shorten(probe.Path)} body={Shorten(probe.Body)} -> {failure}"
                );
            }
        }

        Assert.True(
            failures.Count == 0,
            $"{failures.Count} of {probes.Count} requests misbehaved:\n" + string.Join("\n", failures)
        );
        Assert.Equal(before, await CountRowsAsync(cancellationToken));
    }

    private async Task<Targets> ArrangeAsync(CancellationToken cancellationToken)
    {
        var demo = await Server.DemoAgentAsync();
        var chat = await Server.MultiTurnAgentAsync();
        var key = await ApiKeys.CreateAsync(Admin, demo, chat);
        var demoOnlyKey = await ApiKeys.CreateAsync(Admin, demo);

        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        var completed = await StartAsync(client, demo.AgentId, cancellationToken);
        var waiting = await StartAsync(client, chat.AgentId, cancellationToken);
        await WaitForStatusAsync(client, completed, "Completed");
        await WaitForStatusAsync(client, waiting, "WaitingForResponse");
        return new Targets(demo, chat, completed, waiting, key, demoOnlyKey);
    }

    private static async Task<Guid> StartAsync(HttpClient client, Guid agentId, CancellationToken cancellationToken)
    {
        var response = await client.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new { input = new { } },
            cancellationToken
        );
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken))
            .GetProperty("runId")
            .GetGuid();
    }

    private static Task WaitForStatusAsync(HttpClient client, Guid runId, string status) =>
        Eventually.Get(
            () => client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}"),
            run => run.GetProperty("status").GetString() == status,
            what: $"run {runId} to reach {status}"
        );

    private static List<Func<Random, Probe>> Generators(Targets t)
    {
        string Pick(Random r, IReadOnlyList<string> values) => values[r.Next(values.Count)];
        Route PickRoute(Random r) => V1Routes[r.Next(V1Routes.Length)];
        Route PickRouteWithId(Random r) => WithIds[r.Next(WithIds.Length)];
        Guid AnyRun(Random r) => r.Next(2) == 0 ? t.CompletedRunId : t.WaitingRunId;
        ApiScope AnyAgent(Random r) => r.Next(2) == 0 ? t.Demo : t.Chat;
        string MessagePath(Random r, Guid runId) => $"/v1/runs/{runId}/{(r.Next(2) == 0 ? "messages" : "input")}";
        int[] notFound = [404];

        return
        [
            r =>
            {
                var route = PickRoute(r);
                var key = r.Next(BadKeys.Length + 2) switch
                {
                    var n when n < BadKeys.Length => BadKeys[n],
                    var n when n == BadKeys.Length => null,
                    _ => "",
                };
                return new Probe(
                    "bad or missing API key",
                    route.Method,
                    route.With(t.Demo.AgentId, t.CompletedRunId),
                    route.Method == HttpMethod.Post ? "{\"input\": {}, \"text\": \"hi\"}" : null
                )
                {
                    ApiKey = key,
                    Expected = [401],
                };
            },
            r =>
            {
                var route = PickRoute(r);
                return new Probe(
                    "admin token on the public API",
                    route.Method,
                    route.With(t.Demo.AgentId, t.WaitingRunId),
                    route.Method == HttpMethod.Post ? "{\"input\": {}, \"text\": \"hi\"}" : null
                )
                {
                    Bearer = SkeinApiFactory.AdminToken,
                    Expected = [401],
                };
            },
            r =>
            {
                var route = PickRoute(r);
                HttpMethod[] others =
                    route.Method == HttpMethod.Get
                        ? [HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch]
                        : [HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch];
                var method = others[r.Next(others.Length)];
                return new Probe(
                    "wrong method",
                    method,
                    route.With(AnyAgent(r).AgentId, AnyRun(r)),
                    method == HttpMethod.Get ? null : "{\"text\": \"hi\"}"
                )
                {
                    ApiKey = t.Key,
                    Expected = [405],
                };
            },
            r =>
            {
                var route = PickRouteWithId(r);
                var path = route.Template.Replace("{agentId}", Pick(r, BadIds)).Replace("{runId}", Pick(r, BadIds));
                return new Probe(
                    "malformed id",
                    route.Method,
                    path,
                    route.Method == HttpMethod.Post ? "{\"input\": {}, \"text\": \"hi\"}" : null
                )
                {
                    ApiKey = t.Key,
                };
            },
            r =>
            {
                var route = PickRouteWithId(r);
                var id = r.Next(4) == 0 ? Guid.Empty : Guid.NewGuid();
                return new Probe(
                    "unknown id",
                    route.Method,
                    route.With(id, id),
                    route.Method == HttpMethod.Post ? "{\"input\": {}, \"text\": \"hi\"}" : null
                )
                {
                    ApiKey = t.Key,
                    Expected = notFound,
                };
            },
            r =>
            {
                var route = PickRouteWithId(r);
                return new Probe(
                    "id outside the key's scope",
                    route.Method,
                    route.With(t.Chat.AgentId, t.WaitingRunId),
                    route.Method == HttpMethod.Post ? "{\"input\": {}, \"text\": \"hi\"}" : null
                )
                {
                    ApiKey = t.DemoOnlyKey,
                    Expected = notFound,
                };
            },
            r =>
                r.Next(3) switch
                {
                    0 => new Probe(
                        "malformed start body",
                        HttpMethod.Post,
                        $"/v1/agents/{AnyAgent(r).AgentId}/runs",
                        Pick(r, MalformedJson)
                    )
                    {
                        ApiKey = t.Key,
                    },
                    1 => new Probe(
                        "wrongly typed start body",
                        HttpMethod.Post,
                        $"/v1/agents/{AnyAgent(r).AgentId}/runs",
                        Pick(r, WrongStartBodies)
                    )
                    {
                        ApiKey = t.Key,
                        Headers =
                            r.Next(2) == 0
                                ? new Dictionary<string, string> { ["Idempotency-Key"] = "fuzz-" + r.Next(5) }
                                : new Dictionary<string, string>(),
                    },
                    _ => new Probe(
                        "start body with a non-JSON content type",
                        HttpMethod.Post,
                        $"/v1/agents/{AnyAgent(r).AgentId}/runs",
                        "{\"input\": {}}",
                        r.Next(4) == 0 ? null : Pick(r, ContentTypes)
                    )
                    {
                        ApiKey = t.Key,
                        Expected = [415],
                    },
                },
            r => new Probe(
                "start with an over-long Idempotency-Key",
                HttpMethod.Post,
                $"/v1/agents/{AnyAgent(r).AgentId}/runs",
                Pick(r, WrongStartBodies)
            )
            {
                ApiKey = t.Key,
                Headers = new Dictionary<string, string> { ["Idempotency-Key"] = new string('k', 201 + r.Next(300)) },
            },
            r => new Probe(
                "bad session query",
                HttpMethod.Get,
                $"/v1/agents/{AnyAgent(r).AgentId}/sessions?{Pick(r, BadSessionQueries)}"
            )
            {
                ApiKey = t.Key,
                Expected = [400],
            },
            r => new Probe(
                "bad stepContent",
                HttpMethod.Get,
                $"/v1/runs/{AnyRun(r)}/conversation?stepContent={Pick(r, BadStepContents)}"
            )
            {
                ApiKey = t.Key,
                Expected = [400],
            },
            r =>
                r.Next(2) == 0
                    ? new Probe("bad Last-Event-ID", HttpMethod.Get, $"/v1/runs/{AnyRun(r)}/stream")
                    {
                        ApiKey = t.Key,
                        Headers = new Dictionary<string, string> { ["Last-Event-ID"] = Pick(r, BadEventIds) },
                        Expected = [400],
                    }
                    : new Probe(
                        "bad lastEventId",
                        HttpMethod.Get,
                        $"/v1/runs/{AnyRun(r)}/stream?lastEventId={Uri.EscapeDataString(Pick(r, BadEventIds))}"
                    )
                    {
                        ApiKey = t.Key,
                        Expected = [400],
                    },
            r =>
            {
                var runId = AnyRun(r);
                string[] bodies =
                [
                    "{}",
                    "{\"text\": \"\"}",
                    "{\"text\": \"  \\t \"}",
                    "{\"text\": 5}",
                    "{\"text\": [\"hi\"]}",
                    "{\"text\": {\"a\": 1}}",
                    "{\"message\": false}",
                    "{\"runId\": \"nope\", \"text\": \"hi\"}",
                    $"{{\"runId\": \"{Guid.NewGuid()}\", \"text\": \"hi\"}}",
                    "{\"userTaskId\": \"x\"}",
                    $"{{\"userTaskId\": \"{Guid.NewGuid()}\", \"text\": \"hi\"}}",
                    "{\"approved\": \"yes\"}",
                    "{\"numberValue\": \"NaN\"}",
                    "{\"numberValue\": 1e999}",
                    "{\"text\": null, \"message\": null}",
                    "{\"files\": 3}",
                    "[]",
                    "\"hi\"",
                    "42",
                    "{\"metadata\": " + new string('[', 100) + new string(']', 100) + ", \"text\": \"hi\"}",
                ];
                return r.Next(4) switch
                {
                    0 => new Probe(
                        "malformed message body",
                        HttpMethod.Post,
                        MessagePath(r, runId),
                        Pick(r, MalformedJson)
                    )
                    {
                        ApiKey = t.Key,
                    },
                    1 => new Probe(
                        "message with a non-JSON content type",
                        HttpMethod.Post,
                        MessagePath(r, runId),
                        $"{{\"runId\": \"{runId}\", \"text\": \"hi\"}}",
                        Pick(r, ContentTypes)
                    )
                    {
                        ApiKey = t.Key,
                        Expected = [415],
                    },
                    2 => new Probe("message without a body", HttpMethod.Post, MessagePath(r, runId), null, null)
                    {
                        ApiKey = t.Key,
                        Expected = [400],
                    },
                    _ => new Probe("invalid message", HttpMethod.Post, MessagePath(r, runId), Pick(r, bodies))
                    {
                        ApiKey = t.Key,
                    },
                };
            },
            r => new Probe(
                "message to a finished run",
                HttpMethod.Post,
                MessagePath(r, t.CompletedRunId),
                $"{{\"runId\": \"{t.CompletedRunId}\", \"text\": \"hi again\"}}"
            )
            {
                ApiKey = t.Key,
                Expected = [409],
            },
            r =>
            {
                var body = r.Next(3) switch
                {
                    0 => null,
                    1 => Pick(r, MalformedJson),
                    _ => "{\"text\": \"hi\"}",
                };
                return new Probe(
                    "skip-agent-wait while not waiting for a timer",
                    HttpMethod.Post,
                    $"/v1/runs/{AnyRun(r)}/skip-agent-wait",
                    body,
                    body is null ? null : Pick(r, [.. ContentTypes, "application/json"])
                )
                {
                    ApiKey = t.Key,
                    Expected = [400],
                };
            },
            r => new Probe(
                "unknown public route",
                r.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post,
                Pick(
                    r,
                    [
                        "/v1",
                        "/v1/",
                        "/v1/nope",
                        "/v1/runs",
                        "/v1/agents/x/y/z",
                        "/v1/runs/" + Guid.NewGuid() + "/nope",
                        "/v1/sessions",
                    ]
                )
            )
            {
                ApiKey = t.Key,
                Expected = [404, 405],
            },
        ];
    }

    private static IReadOnlyList<Probe> AdminProbes(Random r, Targets t)
    {
        var demo = t.Demo.AgentId;
        var scope = $"{{\"agentId\": \"{demo}\", \"triggerId\": \"{t.Demo.TriggerId}\"}}";
        Probe[] probes =
        [
            new("admin: malformed key body", HttpMethod.Post, "/api/keys", "{"),
            new("admin: key body is an array", HttpMethod.Post, "/api/keys", "[]"),
            new("admin: key name is a number", HttpMethod.Post, "/api/keys", $"{{\"name\": 5, \"scopes\": [{scope}]}}"),
            new("admin: key without scopes", HttpMethod.Post, "/api/keys", "{\"name\": \"x\", \"scopes\": []}"),
            new(
                "admin: key with a blank name",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"  \", \"scopes\": [{scope}]}}"
            ),
            new("admin: scopes is a string", HttpMethod.Post, "/api/keys", "{\"name\": \"x\", \"scopes\": \"all\"}"),
            new(
                "admin: scope ids malformed",
                HttpMethod.Post,
                "/api/keys",
                "{\"name\": \"x\", \"scopes\": [{\"agentId\": \"nope\", \"triggerId\": 1}]}"
            ),
            new(
                "admin: scope with an unknown trigger",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"x\", \"scopes\": [{{\"agentId\": \"{demo}\", \"triggerId\": \"{Guid.NewGuid()}\"}}]}}"
            ),
            new("admin: scope list holds null", HttpMethod.Post, "/api/keys", "{\"name\": \"x\", \"scopes\": [null]}"),
            new(
                "admin: key name over 200 characters",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"{new string('n', 201)}\", \"scopes\": [{scope}]}}"
            ),
            new(
                "admin: trigger name over 200 characters",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                $"{{\"name\": \"{new string('n', 201)}\"}}"
            ),
            new("admin: blank trigger name", HttpMethod.Put, $"/api/agents/{demo}/triggers/api", "{\"name\": \" \"}"),
            new(
                "admin: scope without a trigger",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"x\", \"scopes\": [{{\"agentId\": \"{demo}\"}}]}}"
            ),
            new(
                "admin: allowFileUploads is a string",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"x\", \"scopes\": [{scope}], \"allowFileUploads\": \"yes\"}}"
            ),
            new(
                "admin: key body as text",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"x\", \"scopes\": [{scope}]}}",
                "text/plain"
            ),
            new("admin: negative rpmLimit", HttpMethod.Put, $"/api/agents/{demo}/triggers/api", "{\"rpmLimit\": -1}"),
            new(
                "admin: negative maxConcurrentRuns",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"maxConcurrentRuns\": -3}"
            ),
            new(
                "admin: huge rpmLimit",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"rpmLimit\": 100000000000000000000}"
            ),
            new(
                "admin: rpmLimit is a string",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"rpmLimit\": \"ten\"}"
            ),
            new(
                "admin: bad IP address",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"ipAllowlist\": [\"999.1.1.1\"]}"
            ),
            new(
                "admin: bad CIDR",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"ipAllowlist\": [\"10.0.0.0/33\"]}"
            ),
            new(
                "admin: allowlist is a string",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"ipAllowlist\": \"10.0.0.0/8\"}"
            ),
            new(
                "admin: allowlist holds null",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"ipAllowlist\": [null]}"
            ),
            new(
                "admin: active is a string",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"active\": \"yes\"}"
            ),
            new(
                "admin: malformed trigger body",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                Pick(MalformedJson)
            ),
            new(
                "admin: trigger of an unknown agent",
                HttpMethod.Put,
                $"/api/agents/{Guid.NewGuid()}/triggers/api",
                "{}"
            )
            {
                Expected = [404],
            },
            new(
                "admin: trigger of a malformed agent id",
                HttpMethod.Put,
                $"/api/agents/{Pick(BadIds)}/triggers/api",
                "{}"
            ),
            new("admin: triggers of an unknown agent", HttpMethod.Get, $"/api/agents/{Guid.NewGuid()}/triggers")
            {
                Expected = [404],
            },
            new("admin: revoke a malformed key id", HttpMethod.Delete, $"/api/keys/{Pick(BadIds)}"),
            new("admin: revoke an unknown key", HttpMethod.Delete, $"/api/keys/{Guid.NewGuid()}") { Expected = [404] },
            new("admin: bad session query", HttpMethod.Get, $"/api/sessions?{Pick(BadSessionQueries)}")
            {
                Expected = [400],
            },
            new("admin: malformed session id", HttpMethod.Get, $"/api/sessions/{Pick(BadIds)}"),
            new("admin: wrongly typed start body", HttpMethod.Post, $"/api/agents/{demo}/runs", Pick(WrongStartBodies)),
            new(
                "admin: start with a malformed version id",
                HttpMethod.Post,
                $"/api/agents/{demo}/runs",
                "{\"versionId\": \"v1\"}"
            ),
            new(
                "admin: start an unknown version",
                HttpMethod.Post,
                $"/api/agents/{demo}/runs",
                $"{{\"versionId\": \"{Guid.NewGuid()}\"}}"
            ),
            new("admin: terminate an unknown session", HttpMethod.Post, $"/api/sessions/{Guid.NewGuid()}/terminate")
            {
                Expected = [404],
            },
            new(
                "admin: message to an unknown run",
                HttpMethod.Post,
                $"/api/runs/{Guid.NewGuid()}/messages",
                "{\"text\": \"hi\"}"
            )
            {
                Expected = [404],
            },
            new(
                "admin: skip a wait that is not running",
                HttpMethod.Post,
                $"/api/runs/{t.CompletedRunId}/skip-agent-wait"
            ),
            new("admin: wrong method", HttpMethod.Delete, "/api/agents") { Expected = [405] },
            new("admin: wrong method on keys", HttpMethod.Patch, "/api/keys", "{}") { Expected = [405] },
        ];
        Probe[] unauthenticated =
        [
            new("admin route without a token", HttpMethod.Get, "/api/agents") { Expected = [401] },
            new(
                "admin route with an API key",
                HttpMethod.Post,
                "/api/keys",
                $"{{\"name\": \"x\", \"scopes\": [{scope}]}}"
            )
            {
                ApiKey = t.Key,
                Expected = [401],
            },
            new(
                "admin route with a wrong token",
                HttpMethod.Put,
                $"/api/agents/{demo}/triggers/api",
                "{\"active\": false}"
            )
            {
                Bearer = "wrong",
                Expected = [401],
            },
        ];

        return [.. probes.Select(p => p with { Bearer = SkeinApiFactory.AdminToken }), .. unauthenticated];

        string Pick(IReadOnlyList<string> values) => values[r.Next(values.Count)];
    }

    /// <summary>The failure, or null when the answer is a 4xx problem JSON of an expected status.</summary>
    private static async Task<string?> CheckAsync(HttpClient client, Probe probe, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(probe.Method, probe.Path);
        if (probe.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(probe.Body));
            if (probe.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
        }

        if (probe.ApiKey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", probe.ApiKey);
        }

        if (probe.Bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", probe.Bearer);
        }

        foreach (var (name, value) in probe.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (status is < 400 or >= 500)
            {
                return $"{status} {Shorten(body)}";
            }

            if (probe.Expected is { } expected && !expected.Contains(status))
            {
                return $"{status}, expected {string.Join(" or ", expected)}: {Shorten(body)}";
            }

            return ProblemError(response, status, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {RequestTimeout.TotalSeconds} s";
        }
    }

    private static string? ProblemError(HttpResponseMessage response, int status, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} with Content-Type '{response.Content.Headers.ContentType}' and body {Shorten(body)}";
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            return
                json.RootElement.TryGetProperty("status", out var s) && s.TryGetInt32(out var value) && value == status
                ? null
                : $"{status} problem without a matching status: {Shorten(body)}";
        }
        catch (JsonException)
        {
            return $"{status} with a body that is not JSON: {Shorten(body)}";
        }
    }

    private async Task<IReadOnlyDictionary<string, int>> CountRowsAsync(CancellationToken cancellationToken)
    {
        var contexts = Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return new SortedDictionary<string, int>
        {
            ["sessions"] = await db.Sessions.CountAsync(cancellationToken),
            ["runs"] = await db.Runs.CountAsync(cancellationToken),
            ["steps"] = await db.Steps.CountAsync(cancellationToken),
            ["session_events"] = await db.SessionEvents.CountAsync(cancellationToken),
            ["api_keys"] = await db.ApiKeys.CountAsync(cancellationToken),
            ["api_keys_revoked"] = await db.ApiKeys.CountAsync(k => k.RevokedAt != null, cancellationToken),
            ["api_key_scopes"] = await db.ApiKeyScopes.CountAsync(cancellationToken),
            ["triggers"] = await db.Triggers.CountAsync(cancellationToken),
            ["idempotency_records"] = await db.IdempotencyRecords.CountAsync(cancellationToken),
        };
    }

    private static string Shorten(string? text) =>
        text is null ? "(none)"
        : text.Length <= 160 ? text
        : text[..160] + "…";
}
