using System.Diagnostics;
using Skein.Bench.Api;
using Skein.Testing.Stores;

// Load drivers for the public /v1 API (docs/performance-api.md). They report figures; they fail (exit 1)
// only when the server answers wrongly (failed starts, unfinished runs, lost or duplicated SSE events).
var parsed = BenchArgs.Parse(args);
var benches = new Dictionary<string, Func<BenchArgs, BenchServer, CancellationToken, Task<bool>>>
{
    ["start-latency"] = StartLatencyBench.RunAsync,
    ["conversation-latency"] = ConversationLatencyBench.RunAsync,
    ["sse-latency"] = SseLatencyBench.RunAsync,
    ["list-sessions"] = ListSessionsBench.RunAsync,
    ["parked-memory"] = ParkedMemoryBench.RunAsync,
    ["delta-latency"] = DeltaLatencyBench.RunAsync,
    ["search-sessions"] = SearchSessionsBench.SearchAsync,
    ["bulk-terminate"] = SearchSessionsBench.BulkTerminateAsync,
};

if (parsed?.Command == "dashboard-home")
{
    return await DashboardHomeBench.RunAsync(parsed, CancellationToken.None) ? 0 : 1;
}

if (parsed is null || (parsed.Command != "all" && !benches.ContainsKey(parsed.Command)))
{
    Console.Error.WriteLine(
        "usage: Skein.Bench.Api "
            + "<start-latency|conversation-latency|sse-latency|list-sessions|parked-memory|delta-latency|"
            + "search-sessions|bulk-terminate|dashboard-home|all> "
            + "[--smoke] [--store sqlite|postgres]"
    );
    Console.Error.WriteLine(
        "  --store postgres     a fresh database on the server named by SKEIN_TEST_POSTGRES (admin connection string)"
    );
    Console.Error.WriteLine(
        "  --postgres <conn>    that server's admin connection string instead of SKEIN_TEST_POSTGRES"
    );
    Console.Error.WriteLine("  start-latency        [--rate 200] [--seconds 20] [--warmup 30]");
    Console.Error.WriteLine("  conversation-latency [--turns 167] [--requests 300] [--warmup 15]   (warm-up per mode)");
    Console.Error.WriteLine(
        "  sse-latency          [--subscribers 1000] [--messages 30] [--pause-ms 200] [--warmup 20] "
            + "[--report summary|per-message]"
    );
    Console.Error.WriteLine("  list-sessions        [--sessions 1000000] [--requests 300]");
    Console.Error.WriteLine("  parked-memory        [--sessions 10000] [--settle 5]");
    Console.Error.WriteLine(
        "  delta-latency        [--runs 200] [--chunks 40] [--pace-ms 25] [--phase aligned|staggered] [--rounds 3]"
            + " [--path both|skein|direct]"
    );
    Console.Error.WriteLine("  search-sessions      [--sessions 1000000] [--requests 300]");
    Console.Error.WriteLine("  bulk-terminate       [--sessions 1000]");
    Console.Error.WriteLine("  dashboard-home       [--sessions 1000000] [--requests 300]   (SQLite)");
    Console.Error.WriteLine("  warm-up values are seconds of the same load before measuring");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// --postgres: the admin connection string of the server to create the bench's database on (else SKEIN_TEST_POSTGRES).
if (parsed.Text("postgres", "") is { Length: > 0 } postgres)
{
    Environment.SetEnvironmentVariable(Skein.Testing.Stores.TestPostgres.Variable, postgres);
}

var store = parsed.Text("store", "sqlite") switch
{
    "sqlite" => StoreKind.Sqlite,
    "postgres" => StoreKind.Postgres,
    var other => throw new ArgumentException($"--store must be sqlite or postgres, not '{other}'"),
};
var ok = true;
var total = Stopwatch.StartNew();

// Each measurement gets a fresh server (no sessions or JIT state left by another); smoke runs share one to stay short.
await using var shared = parsed.Smoke ? await BenchServer.StartAsync(store, cancel.Token) : null;
foreach (var (name, run) in benches.Where(b => parsed.Command == "all" || b.Key == parsed.Command))
{
    var one = Stopwatch.StartNew();
    await using var own = shared is null ? await BenchServer.StartAsync(store, cancel.Token) : null;
    var passed = await run(parsed, shared ?? own ?? throw new InvalidOperationException("no server"), cancel.Token);
    Console.WriteLine(
        $"{name}: {(passed ? "ok" : "FAILED")} in {one.Elapsed.TotalSeconds:0.0} s{(parsed.Smoke ? " (smoke)" : "")}"
    );
    ok &= passed;
}

if (parsed.Command == "all")
{
    Console.WriteLine($"all: {(ok ? "ok" : "FAILED")} in {total.Elapsed.TotalSeconds:0.0} s");
}

return ok ? 0 : 1;
