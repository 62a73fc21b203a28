using System.Runtime;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Bench.Throughput;

/// <summary><c>engine-throughput</c>: the engine's completed runs per second against a raw batched insert of the same
/// rows on the same store (SQLite, or PostgreSQL with <c>--store postgres</c>), and the ratio of the two.</summary>
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
            $".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, "
                + (options.Postgres ? "PostgreSQL" : "SQLite WAL synchronous=NORMAL")
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
        Report("sqlite", shape, engine, reference);
        return 0;
    }

    /// <summary>
    /// The engine on a fresh PostgreSQL database, then the raw reference of the same rows on another fresh database of
    /// the same server (<c>SKEIN_TEST_POSTGRES</c>, or <c>--postgres</c>).
    /// </summary>
    private static async Task<int> RunOnPostgresAsync(ThroughputOptions options, CancellationToken cancellationToken)
    {
        if (options.PostgresConnection is { } connection)
        {
            Environment.SetEnvironmentVariable(TestPostgres.Variable, connection);
        }

        await using var store = await TestStore.CreateAsync(StoreKind.Postgres, cancellationToken);
        var engine = await EngineThroughput.RunAsync(store, options, cancellationToken);
        var (shape, tables) = await PostgresReference.ReadShapeAsync(
            store.ConnectionString,
            engine.SampleSessionId,
            cancellationToken
        );
        var steps = shape.Tables.Single(t => t.Table == "steps").Rows.Count;
        if (steps != ExpectedSteps)
        {
            Console.Error.WriteLine($"a bench run wrote {steps} steps, expected {ExpectedSteps}");
            return 1;
        }

        await using var referenceStore = await TestStore.CreateAsync(StoreKind.Postgres, cancellationToken);
        var reference = await PostgresReference.RunAsync(
            referenceStore.ConnectionString,
            tables,
            options.Runs,
            options.BatchRuns,
            cancellationToken
        );
        Report("postgres", shape, engine, reference.Cost);
        Console.WriteLine($"engine server side:    {engine.Server?.Describe(options.Runs)}");
        Console.WriteLine($"reference server side: {reference.Server.Describe(options.Runs)}");
        // Read after the reference phase: backends report their table counters to the statistics with a delay.
        Console.WriteLine(
            $"engine updates kept on their page (HOT): "
                + await PostgresReference.HotUpdatesAsync(store.ConnectionString, cancellationToken)
        );
        return 0;
    }

    private static void Report(string store, RowShape shape, EngineResult engine, PhaseCost reference)
    {
        var ratio = engine.Cost.RunsPerSecond / reference.RunsPerSecond;
        Console.WriteLine(
            $"rows per run:  {shape.RowsPerRun} ({shape.Describe()}), {shape.BytesPerRun:N0} bytes of values"
        );
        Console.WriteLine($"engine:        {engine.Cost.Describe(shape.RowsPerRun)}");
        Console.WriteLine(engine.DescribeBytes(store));
        Console.WriteLine($"raw reference: {reference.Describe(shape.RowsPerRun)}");
        Console.WriteLine();
        Console.WriteLine(
            $"{store}: engine: {engine.Cost.RunsPerSecond:N0} runs/s | raw reference: {reference.RunsPerSecond:N0}"
                + $" runs/s | ratio: {ratio:P1}"
        );
    }
}
