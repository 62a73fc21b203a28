using System.Diagnostics;

namespace Skein.Bench.Throughput;

/// <summary>Measures what one phase costs the whole process, from construction to <see cref="Stop"/>.</summary>
internal sealed class PhaseMeter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _allocated = GC.GetTotalAllocatedBytes();
    private readonly int _gen0 = GC.CollectionCount(0);
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();
    private readonly long _written = WrittenBytes();

    public PhaseCost Stop(int runs) =>
        new(
            runs,
            _clock.Elapsed,
            Process.GetCurrentProcess().TotalProcessorTime - _cpu,
            GC.GetTotalAllocatedBytes() - _allocated,
            GC.CollectionCount(0) - _gen0,
            GC.GetTotalPauseDuration() - _paused,
            WrittenBytes() - _written
        );

    /// <summary>Bytes the process handed to write calls (Linux <c>/proc/self/io</c> wchar): WAL frames and checkpoint
    /// copies.</summary>
    private static long WrittenBytes()
    {
        const string path = "/proc/self/io";
        if (!File.Exists(path))
        {
            return 0;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line["wchar:".Length..].Trim(), out var bytes) ? bytes : 0;
    }
}

/// <summary>
/// One phase's cost. CPU is process CPU time, steadier than wall time on a shared machine; written bytes show
/// how much the database really wrote per run (WAL pages and checkpoints), beyond the rows' own size.
/// </summary>
internal sealed record PhaseCost(
    int Runs,
    TimeSpan Elapsed,
    TimeSpan Cpu,
    long AllocatedBytes,
    int Gen0Collections,
    TimeSpan GcPaused,
    long WrittenBytes
)
{
    public double RunsPerSecond => Runs / Elapsed.TotalSeconds;

    public double CpuMillisecondsPerRun => Cpu.TotalMilliseconds / Runs;

    public double AllocatedKilobytesPerRun => AllocatedBytes / 1024.0 / Runs;

    public double WrittenKilobytesPerRun => WrittenBytes / 1024.0 / Runs;

    public string Describe(int rowsPerRun) =>
        $"{Runs} runs in {Elapsed.TotalSeconds:0.00} s = {RunsPerSecond:N0} runs/s ({RunsPerSecond * rowsPerRun:N0} "
        + $"rows/s); "
        + $"per run: CPU {CpuMillisecondsPerRun:0.00} ms, written {WrittenKilobytesPerRun:N0} KB, allocated "
        + $"{AllocatedKilobytesPerRun:N0} KB "
        + $"({Gen0Collections} gen0 GCs, paused {GcPaused.TotalMilliseconds / Elapsed.TotalMilliseconds:P0} of the "
        + $"time)";
}
