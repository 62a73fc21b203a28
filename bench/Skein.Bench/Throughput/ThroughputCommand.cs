using System.Runtime;
using Skein.Testing;

namespace Skein.Bench.Throughput;

/// <summary><c>engine-throughput</c>: the engine's completed runs per second against a raw batched insert of the same rows.</summary>
internal static class ThroughputCommand
{
    /// <summary>Steps of the bench run: prepare, reasoning, ToolCall, ToolResult, prepare, reasoning, output.</summary>
    private const int ExpectedSteps = 7;

    public static async Task<int> RunAsync(ThroughputOptions options, CancellationToken cancellationToken)
    {
        Console.WriteLine($"engine-throughput: runs={options.Runs} concurrency={options.Concurrency} warmup={options.Warmup} " +
            $"reference={options.BatchRuns} runs/transaction{(options.Smoke ? " (smoke)" : "")}");
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, SQLite WAL synchronous=NORMAL");

        using var dir = new TempDirectory("skein-bench");
        var engine = await EngineThroughput.RunAsync(dir.File("engine.db"), options, cancellationToken);
        var shape = await RowShape.ReadAsync(dir.File("engine.db"), engine.SampleSessionId, cancellationToken);
        var steps = shape.Tables.Single(t => t.Table == "steps").Rows.Count;
        if (steps != ExpectedSteps)
        {
            Console.Error.WriteLine($"a bench run wrote {steps} steps, expected {ExpectedSteps}");
            return 1;
        }

        var reference = await RawReference.RunAsync(dir.File("reference.db"), shape, options.Runs, options.BatchRuns, cancellationToken);
        var ratio = engine.Cost.RunsPerSecond / reference.RunsPerSecond;

        Console.WriteLine($"rows per run:  {shape.RowsPerRun} ({shape.Describe()}), {shape.BytesPerRun:N0} bytes of values");
        Console.WriteLine($"engine:        {engine.Cost.Describe(shape.RowsPerRun)}");
        Console.WriteLine($"raw reference: {reference.Describe(shape.RowsPerRun)}");
        Console.WriteLine();
        Console.WriteLine($"engine: {engine.Cost.RunsPerSecond:N0} runs/s | raw reference: {reference.RunsPerSecond:N0} runs/s | ratio: {ratio:P1}");
        return 0;
    }
}
