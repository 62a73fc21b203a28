using System.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Bench.Throughput;

/// <summary><c>engine-throughput</c>: the engine's completed runs per second against a raw batched insert of the same
/// rows.</summary>
internal static class ThroughputCommand
{
    /// <summary>Steps of the bench run: prepare, reasoning, ToolCall, ToolResult, prepare, reasoning, output.</summary>
    private const int ExpectedSteps = 7;

    public static async Task<int> RunAsync(ThroughputOptions options, CancellationToken cancellationToken)
    {
        Console.WriteLine(
            $"engine-throughput: runs={options.Runs} concurrency={options.Concurrency} warmup={options.Warmup} "
                + $"reference={options.BatchRuns} runs/transaction{(options.Smoke ? " (smoke)" : "")}"
        );
        Console.WriteLine(
            $".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, SQLite WAL synchronous=NORMAL"
        );

        if (options.Postgres)
        {
            return await RunOnPostgresAsync(options, cancellationToken);
        }

        using var dir = new TempDirectory("skein-bench");
        var engine = await EngineThroughput.RunAsync(dir.File("engine.db"), options, cancellationToken);
        var shape = await RowShape.ReadAsync(dir.File("engine.db"), engine.SampleSessionId, cancellationToken);
        var steps = shape.Tables.Single(t => t.Table == "steps").Rows.Count;
        if (steps != ExpectedSteps)
        {
            Console.Error.WriteLine($"a bench run wrote {steps} steps, expected {ExpectedSteps}");
            return 1;
        }

        var reference = await RawReference.RunAsync(
            dir.File("reference.db"),
            shape,
            options.Runs,
            options.BatchRuns,
            cancellationToken
        );
        var ratio = engine.Cost.RunsPerSecond / reference.RunsPerSecond;

        Console.WriteLine(
            $"rows per run:  {shape.RowsPerRun} ({shape.Describe()}), {shape.BytesPerRun:N0} bytes of values"
        );
        Console.WriteLine($"engine:        {engine.Cost.Describe(shape.RowsPerRun)}");
        Console.WriteLine(engine.DescribeBytes("sqlite"));
        Console.WriteLine($"raw reference: {reference.Describe(shape.RowsPerRun)}");
        Console.WriteLine();
        Console.WriteLine(
            $"engine: {engine.Cost.RunsPerSecond:N0} runs/s | raw reference: {reference.RunsPerSecond:N0} runs/s | ratio: {ratio:P1}"
        );
        return 0;
    }

    /// <summary>The engine alone on PostgreSQL (the raw reference is SQLite's); steps checked through EF.</summary>
    private static async Task<int> RunOnPostgresAsync(ThroughputOptions options, CancellationToken cancellationToken)
    {
        await using var store = await TestStore.CreateAsync(StoreKind.Postgres, cancellationToken);
        var engine = await EngineThroughput.RunAsync(store, options, cancellationToken);
        await using var services = store.AddTo(new ServiceCollection()).BuildServiceProvider();
        await using (
            var db = await services
                .GetRequiredService<IDbContextFactory<SkeinDbContext>>()
                .CreateDbContextAsync(cancellationToken)
        )
        {
            var steps = await db.Steps.CountAsync(s => s.SessionId == engine.SampleSessionId, cancellationToken);
            if (steps != ExpectedSteps)
            {
                Console.Error.WriteLine($"a bench run wrote {steps} steps, expected {ExpectedSteps}");
                return 1;
            }
        }

        Console.WriteLine($"engine:        {engine.Cost.Describe(20)}");
        Console.WriteLine(engine.DescribeBytes("postgres"));
        Console.WriteLine();
        Console.WriteLine($"engine (postgres): {engine.Cost.RunsPerSecond:N0} runs/s");
        return 0;
    }
}
