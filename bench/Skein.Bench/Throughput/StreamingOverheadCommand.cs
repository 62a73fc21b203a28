using Skein.Testing;

namespace Skein.Bench.Throughput;

/// <summary>
/// <c>streaming-overhead</c>: the engine-throughput load with model calls not streamed, then streamed (the scripted
/// model sends its text word by word and each word becomes a step delta), alternating twice in one process; reports
/// runs/s, CPU and allocations per run of each and the on/off ratios. Nobody follows the sessions, so a delta costs
/// the streamed call and a lookup; what a live subscriber adds is measured by Skein.Bench.Api delta-latency.
/// </summary>
internal static class StreamingOverheadCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var smoke = args.Contains("--smoke");
        var options = ThroughputOptions.Parse([.. args]);
        if (!args.Contains("--runs"))
        {
            options = options with { Runs = smoke ? 200 : 2000, Warmup = smoke ? 20 : 1000 };
        }

        if (!args.Contains("--concurrency"))
        {
            options = options with { Concurrency = 64 };
        }

        Console.WriteLine(
            $"streaming-overhead: runs={options.Runs} concurrency={options.Concurrency} warmup={options.Warmup}"
                + (smoke ? " (smoke)" : "")
        );
        var off = new List<PhaseCost>();
        var on = new List<PhaseCost>();
        for (var round = 0; round < 2; round++)
        {
            off.Add(await MeasureAsync(options with { StreamModelCalls = false }, cancellationToken));
            on.Add(await MeasureAsync(options with { StreamModelCalls = true }, cancellationToken));
        }

        var bestOff = off.MaxBy(c => c.RunsPerSecond)!;
        var bestOn = on.MaxBy(c => c.RunsPerSecond)!;
        Console.WriteLine($"off: {string.Join(" | ", off.Select(Line))}");
        Console.WriteLine($"on:  {string.Join(" | ", on.Select(Line))}");
        Console.WriteLine(
            $"streaming on/off (best of 2): throughput {bestOn.RunsPerSecond / bestOff.RunsPerSecond:P1}, "
                + $"CPU per run {bestOn.CpuMillisecondsPerRun / bestOff.CpuMillisecondsPerRun:P1}, "
                + $"allocated per run {bestOn.AllocatedKilobytesPerRun / bestOff.AllocatedKilobytesPerRun:P1}"
        );
        return 0;
    }

    private static string Line(PhaseCost c) =>
        $"{c.RunsPerSecond:N0} runs/s, CPU {c.CpuMillisecondsPerRun:0.00} ms/run, "
        + $"{c.AllocatedKilobytesPerRun:N0} KB/run";

    private static async Task<PhaseCost> MeasureAsync(ThroughputOptions options, CancellationToken cancellationToken)
    {
        using var dir = new TempDirectory("skein-bench-streaming");
        var result = await EngineThroughput.RunAsync(dir.File("engine.db"), options, cancellationToken);
        return result.Cost;
    }
}
