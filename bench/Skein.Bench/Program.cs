using Skein.Bench.Micro;
using Skein.Bench.Throughput;

// Usage:
//   engine-throughput [--store sqlite|postgres] [--postgres CONNECTION] [--runs N] [--concurrency C] [--warmup W]
//                     [--batch-runs B] [--smoke]
//   micro [--smoke] [BenchmarkDotNet arguments]
var command = args.FirstOrDefault();
var rest = args.Skip(1).ToArray();
try
{
    return command switch
    {
        "engine-throughput" => await ThroughputCommand.RunAsync(ThroughputOptions.Parse(rest), CancellationToken.None),
        "micro" => MicroCommand.Run(rest),
        "streaming-overhead" => await StreamingOverheadCommand.RunAsync(rest, CancellationToken.None),
        "tree-throughput" => await Skein.Bench.Trees.TreeThroughput.RunAsync(rest, CancellationToken.None),
        "telemetry-overhead" => await Skein.Bench.Telemetry.TelemetryOverheadCommand.RunAsync(
            rest,
            CancellationToken.None
        ),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine(
        "usage: Skein.Bench engine-throughput [--store sqlite|postgres] [--postgres CONNECTION] [--runs N] "
            + "[--concurrency C] [--warmup W] [--batch-runs B] [--smoke]"
    );
    Console.Error.WriteLine(
        "       Skein.Bench streaming-overhead [--runs N] [--concurrency C] [--warmup W] [--smoke]"
    );
    Console.Error.WriteLine("       Skein.Bench micro [--smoke] [BenchmarkDotNet arguments, e.g. --filter *Fold*]");
    return 2;
}
