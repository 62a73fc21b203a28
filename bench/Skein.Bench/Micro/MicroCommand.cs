using BenchmarkDotNet.Running;

namespace Skein.Bench.Micro;

/// <summary>
/// <c>micro</c>: BenchmarkDotNet over the engine's pure hot-path pieces. Arguments go to BenchmarkDotNet
/// (all benchmarks unless <c>--filter</c> says otherwise); <c>--smoke</c> is one dry pass of each.
/// </summary>
internal static class MicroCommand
{
    public static int Run(string[] args)
    {
        var forwarded = args.Where(a => a != "--smoke").ToList();
        if (!forwarded.Contains("--filter"))
        {
            forwarded.AddRange(["--filter", "*"]);
        }

        if (args.Contains("--smoke"))
        {
            forwarded.AddRange(["--job", "Dry"]);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run([.. forwarded]);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
