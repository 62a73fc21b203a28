using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Server.Api.V1;
using Skein.Server.Tests.Crash;
using Skein.Store;
using Skein.Store.Sessions;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Cluster;

/// <summary>
/// Skein server processes on one store (several nodes on one PostgreSQL database, or one SQLite node that is
/// killed and started again), the receiver their tool calls reach, and the store opened from the test process.
/// </summary>
internal sealed class ClusterScenario : IAsyncDisposable
{
    public const string PayOperation = "pay";
    public const string FinalText = "paid";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);

    /// <summary>The seeded demo key (file uploads allowed), fixed so every node and the test know it.</summary>
    public const string DemoApiKey = "phk_cluster_demo_key_0123456789abcdef";

    private const string AdminToken = "skein-cluster-test-token";

    private readonly List<(ServerProcess Server, TempDirectory? Data)> _nodes = [];
    private readonly ServiceProvider _services;

    private ClusterScenario(TestStore store, OperationReceiver receiver)
    {
        Store = store;
        Receiver = receiver;
        _services = store.AddTo(new ServiceCollection()).BuildServiceProvider();
    }

    public TestStore Store { get; }

    public OperationReceiver Receiver { get; }

    public IDbContextFactory<SkeinDbContext> Contexts =>
        _services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    public static async Task<ClusterScenario> CreateAsync(StoreKind kind, CancellationToken cancellationToken)
    {
        var store = await TestStore.CreateAsync(kind, cancellationToken);
        return new ClusterScenario(store, await OperationReceiver.StartAsync(cancellationToken));
    }

    /// <summary>
    /// A new node. PostgreSQL nodes get data folders of their own (only the database is shared) and short leases,
    /// so the runs of a killed node are resumed within seconds; a SQLite node's data folder holds the database.
    /// </summary>
    public async Task<ServerProcess> StartNodeAsync(CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["Skein__Engine__TimerPollInterval"] = "00:00:00.100",
            ["SKEIN_DEMO_API_KEY"] = DemoApiKey,
        };
        TempDirectory? data = null;
        string dataDirectory;
        if (Store.Kind == StoreKind.Postgres)
        {
            data = new TempDirectory("skein-node");
            dataDirectory = data.Path;
            environment["Skein__Store"] = "postgres";
            environment["ConnectionStrings__Skein"] = Store.ConnectionString;
            environment["Skein__Leases__Duration"] = "00:00:06";
            environment["Skein__Leases__RenewInterval"] = "00:00:00.500";
        }
        else
        {
            dataDirectory = Path.GetDirectoryName(Store.ConnectionString)
                ?? throw new InvalidOperationException("no data folder");
        }

        var server = await ServerProcess.StartAsync(
            dataDirectory,
            AdminToken,
            cancellationToken,
            TimeSpan.FromSeconds(90),
            environment
        );
        _nodes.Add((server, data));
        return server;
    }

    /// <summary>
    /// An agent reachable through the public API: turn 0 calls <c>pay</c> (idempotent) on the receiver, turn 1 waits a
    /// second with phrony_wait, turn 2 answers <see cref="FinalText"/> after a short delay. Returns its id and an API
    /// key.
    /// </summary>
    public async Task<(Guid AgentId, string ApiKey)> CreatePayingAgentAsync(
        ServerProcess node,
        CancellationToken cancellationToken
    )
    {
        await TestData.AddOperationAsync(
            Contexts,
            new OperationSpec(PayOperation, Receiver.BaseUrl, Path: "/payments") { Idempotent = true },
            cancellationToken
        );
        var agent = await TestData.CreateAgentAsync(
            Contexts,
            new AgentSpec
            {
                Operations = [PayOperation, "phrony_wait"],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "paying",
                        ToolCalls =
                        [
                            new ScriptToolCall(PayOperation, JsonSerializer.SerializeToElement(new { amount = 42 })),
                        ],
                    },
                    new ScriptTurn
                    {
                        Text = "waiting",
                        ToolCalls =
                        [
                            new ScriptToolCall("phrony_wait", JsonSerializer.SerializeToElement(new { seconds = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = FinalText, DelayMs = 300 },
                ],
            },
            cancellationToken
        );
        using var trigger = await node.Client.PutAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers/api",
            new { active = true },
            cancellationToken
        );
        trigger.EnsureSuccessStatusCode();
        var api = new ApiScope(
            agent.AgentId,
            (await trigger.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid()
        );
        return (agent.AgentId, await ApiKeys.CreateAsync(node.Client, api));
    }

    public static async Task<AgentEndpoints.StartRunResponse> StartRunAsync(
        ServerProcess node,
        Guid agentId,
        string apiKey,
        int n,
        CancellationToken cancellationToken
    )
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/agents/{agentId}/runs")
        {
            Content = JsonContent.Create(new { input = new { order = $"o-{n}" } }),
        };
        request.Headers.Add("X-API-Key", apiKey);
        using var response = await node.Client.SendAsync(request, cancellationToken);
        Assert.True(
            response.StatusCode == HttpStatusCode.Accepted,
            $"start run answered {(int)response.StatusCode}: "
                + $"{await response.Content.ReadAsStringAsync(cancellationToken)}"
        );
        return await response.Content.ReadFromJsonAsync<AgentEndpoints.StartRunResponse>(
            JsonSerializerOptions.Web,
            cancellationToken
        ) ?? throw new InvalidOperationException("start run answered an empty body");
    }

    public async Task<SessionDetail> StoredAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await new SessionQueries(Contexts).GetAsync(sessionId, cancellationToken)
        ?? throw new InvalidOperationException($"session {sessionId} is not in the store");

    /// <summary>The session's event sequences in the log, in order.</summary>
    public async Task<IReadOnlyList<long>> EventSequencesAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = await Contexts.CreateDbContextAsync(cancellationToken);
        return await db
            .SessionEvents.AsNoTracking()
            .Where(e => e.SessionId == sessionId)
            .OrderBy(e => e.GlobalSequence)
            .Select(e => e.Sequence)
            .ToListAsync(cancellationToken);
    }

    public string Output =>
        string.Join("\n", _nodes.Select(n => $"--- node {n.Server.ProcessId} ---\n{n.Server.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (server, data) in _nodes)
        {
            var id = server.ProcessId;
            server.Dispose();
            TestContext.Current.TestOutputHelper?.WriteLine($"--- server process {id} ---\n{server.Output}");
            data?.Dispose();
        }

        await _services.DisposeAsync();
        await Receiver.DisposeAsync();
        await Store.DisposeAsync();
    }
}
