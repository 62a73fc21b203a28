using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Skein.Engine.Triggers;

namespace Skein.Server.Tests.Hardening;

/// <summary>Runs alone: it measures the process's working set, which tests running beside it would move.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResourceMeasurementCollection
{
    public const string Name = "resource measurement";
}

/// <summary>
/// Unauthenticated traffic costs a bounded amount (issue 15, done-when): 100,000 requests with random unknown API
/// keys and 10,000 bad-signature webhooks, over real HTTP/1.1 keep-alive connections to Kestrel, change the
/// process's working set (after a full GC) by less than 10 MB and the SQLite database by less than 1 MB.
/// </summary>
[Collection(ResourceMeasurementCollection.Name)]
public sealed class UnauthenticatedResourceTests : IAsyncLifetime
{
    private const int UnknownKeyRequests = 100_000;
    private const int BadWebhooks = 10_000;
    private const int Connections = 16;
    private const long MaxWorkingSetGrowth = 10 * 1024 * 1024;
    private const long MaxDatabaseGrowth = 1024 * 1024;

    private readonly SkeinApiFactory _factory = new();
    private Uri _base = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        _base = new Uri(addresses.Addresses.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Random_keys_and_bad_signature_webhooks_grow_neither_memory_nor_the_database()
    {
        var hook = await CreateEventTriggerAsync();
        using var client = new HttpClient(
            new SocketsHttpHandler
            {
                MaxConnectionsPerServer = Connections,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            }
        )
        {
            BaseAddress = _base,
            DefaultRequestVersion = HttpVersion.Version11,
        };

        // Warm up first: JIT, connection and buffer pools, and the bounded caches filled to their bound.
        // Warm-up is a third of the load: tiered JIT, thread pool and native allocator arenas settle under it.
        await SendUnknownKeysAsync(client, UnknownKeyRequests / 3);
        await SendBadWebhooksAsync(client, hook, BadWebhooks / 3);
        var (memoryBefore, databaseBefore) = await MeasureAsync();
        var clock = Stopwatch.StartNew();

        var threadsBefore = Process.GetCurrentProcess().Threads.Count;
        await SendUnknownKeysAsync(client, UnknownKeyRequests / 2);
        var (memoryHalf, _) = await MeasureAsync();
        await SendUnknownKeysAsync(client, UnknownKeyRequests / 2);
        var (memoryKeys, _) = await MeasureAsync();
        await SendBadWebhooksAsync(client, hook, BadWebhooks);
        var threadsAfter = Process.GetCurrentProcess().Threads.Count;

        var elapsed = clock.Elapsed;
        var (memoryAfter, databaseAfter) = await MeasureAsync();
        var memoryGrowth = memoryAfter - memoryBefore;
        var databaseGrowth = databaseAfter - databaseBefore;
        var figures = (
            $"{UnknownKeyRequests + BadWebhooks} requests in {elapsed.TotalSeconds:0.0} s; working set "
            + $"{memoryBefore / 1048576.0:0.0} -> {memoryHalf / 1048576.0:0.0} (half the keys) -> "
            + $"{memoryKeys / 1048576.0:0.0} (keys) -> {memoryAfter / 1048576.0:0.0} MB; GC heap "
            + $"{GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:0.0} MB, committed "
            + $"{GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} MB; threads {threadsBefore} -> "
            + $"{threadsAfter}; database "
            + $"{databaseBefore} -> {databaseAfter} bytes"
        );
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        Assert.True(
            memoryGrowth < MaxWorkingSetGrowth,
            $"working set grew by {memoryGrowth / 1048576.0:0.0} MB: {figures}"
        );
        Assert.True(databaseGrowth < MaxDatabaseGrowth, $"database grew by {databaseGrowth} bytes: {figures}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", Ct)).StatusCode);
    }

    private async Task<string> CreateEventTriggerAsync()
    {
        var admin = _factory.Admin;
        var agents = await admin.GetFromJsonAsync<JsonElement>("/api/agents", Ct);
        var demo = agents.GetProperty("items").EnumerateArray().First(a => a.GetProperty("name").GetString() == "demo");
        var created = await admin.PostAsJsonAsync(
            $"/api/agents/{demo.GetProperty("id").GetGuid()}/triggers",
            new { type = "event", name = "resource-hook" },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var trigger = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return $"/hooks/{trigger.GetProperty("id").GetGuid()}";
    }

    private static Task SendUnknownKeysAsync(HttpClient client, int count) =>
        SendAsync(client, count, HttpStatusCode.Unauthorized, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
            request.Headers.Add("X-API-Key", "phk_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));
            return request;
        });

    private static Task SendBadWebhooksAsync(HttpClient client, string url, int count)
    {
        var body = "{\"order\":{\"id\":42,\"note\":\"" + new string('x', 2_000) + "\"}}";
        return SendAsync(client, count, HttpStatusCode.Unauthorized, i =>
        {
            var request = Webhooks.Signed(url, "not-the-secret", body, "delivery-" + i + new string('d', 150));
            return request;
        });
    }

    private static async Task SendAsync(
        HttpClient client,
        int count,
        HttpStatusCode expected,
        Func<int, HttpRequestMessage> create
    )
    {
        var unexpected = 0;
        await Parallel.ForAsync(
            0,
            count,
            new ParallelOptions { MaxDegreeOfParallelism = Connections, CancellationToken = Ct },
            async (i, cancellationToken) =>
            {
                using var request = create(i);
                using var response = await client.SendAsync(request, cancellationToken);
                await response.Content.CopyToAsync(Stream.Null, cancellationToken);
                if (response.StatusCode != expected)
                {
                    Interlocked.Increment(ref unexpected);
                }
            }
        );
        Assert.Equal(0, unexpected);
    }

    private async Task<(long WorkingSet, long Database)> MeasureAsync()
    {
        // The refusal counters are written on a timer: flush them now so their row is in the figure.
        await _factory.Services.GetRequiredService<RefusedDeliveries>().FlushAsync(Ct);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var database = Path.Combine(_factory.Data.Path, "skein.db");
        long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
        return (process.WorkingSet64, Size(database) + Size(database + "-wal"));
    }
}
