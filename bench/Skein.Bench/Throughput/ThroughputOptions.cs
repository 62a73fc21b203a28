namespace Skein.Bench.Throughput;

/// <summary>Sizes of one engine-throughput measurement. <c>--smoke</c> is the seconds-long CI mode.</summary>
internal sealed record ThroughputOptions(int Runs, int Concurrency, int Warmup, int BatchRuns, bool Smoke)
{
    /// <summary><c>--store postgres</c>: the engine on a fresh database of the server named by
    /// <c>SKEIN_TEST_POSTGRES</c>.</summary>
    public bool Postgres { get; init; }

    /// <summary><c>--postgres &lt;connection string&gt;</c>: the server to use instead of <c>SKEIN_TEST_POSTGRES</c>
    /// (implies <c>--store postgres</c>).</summary>
    public string? PostgresConnection { get; init; }

    /// <summary>Model calls stream (the product default) or not: <c>streaming-overhead</c> measures both.</summary>
    public bool StreamModelCalls { get; init; } = true;

    public static ThroughputOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        var options = smoke
            ? new ThroughputOptions(Runs: 200, Concurrency: 64, Warmup: 20, BatchRuns: 256, Smoke: true)
            : new ThroughputOptions(Runs: 10_000, Concurrency: 256, Warmup: 25_000, BatchRuns: 256, Smoke: false);
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--smoke" => options,
                "--store" => options with { Postgres = Store(args, ++i) },
                "--postgres" => options with { Postgres = true, PostgresConnection = Text(args, ++i) },
                "--runs" => options with { Runs = Positive(args, ++i) },
                "--concurrency" => options with { Concurrency = Positive(args, ++i) },
                "--warmup" => options with { Warmup = Positive(args, ++i) },
                "--batch-runs" => options with { BatchRuns = Positive(args, ++i) },
                var other => throw new ArgumentException($"unknown option '{other}'"),
            };
        }

        return options;
    }

    private static bool Store(IReadOnlyList<string> args, int index) =>
        index < args.Count
            ? args[index] switch
            {
                "sqlite" => false,
                "postgres" => true,
                var other => throw new ArgumentException($"--store must be sqlite or postgres, not '{other}'"),
            }
            : throw new ArgumentException("--store needs sqlite or postgres");

    private static string Text(IReadOnlyList<string> args, int index) =>
        index < args.Count ? args[index] : throw new ArgumentException($"{args[index - 1]} needs a value");

    private static int Positive(IReadOnlyList<string> args, int index) =>
        index < args.Count && int.TryParse(args[index], out var value) && value > 0
            ? value
            : throw new ArgumentException($"{args[index - 1]} needs a positive integer");
}
