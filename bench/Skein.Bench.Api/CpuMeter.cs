using System.Diagnostics;
using System.Globalization;

namespace Skein.Bench.Api;

/// <summary>
/// CPU the server, this driver and everything else on the machine used over a measured phase. Latency on a
/// shared 2-core machine depends on what else runs, CPU per operation does not: both are reported, and a
/// run where other processes took a noticeable share is contaminated.
/// </summary>
public sealed class CpuMeter
{
    private readonly BenchServer _server;
    private readonly TimeSpan _serverStart;
    private readonly TimeSpan _driverStart;
    private readonly TimeSpan? _machineStart = MachineBusy();
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    public CpuMeter(BenchServer server)
    {
        _server = server;
        _serverStart = server.CpuTime;
        _driverStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public string Report(string perWhat, double count)
    {
        var server = _server.CpuTime - _serverStart;
        var driver = Process.GetCurrentProcess().TotalProcessorTime - _driverStart;
        var others = MachineBusy() - _machineStart - server - driver;
        var wall = _wall.Elapsed.TotalSeconds;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"cpu: server {server.TotalSeconds:0.00} s ({100 * server.TotalSeconds / wall:0}% of one core, "
                + $"{1e6 * server.TotalSeconds / count:0} µs per {perWhat}), "
                + $"driver {driver.TotalSeconds:0.00} s, other processes "
                + $"{(others is { } o ? $"{Math.Max(0, o.TotalSeconds):0.00} s" : "n/a")} "
                + $"over {wall:0.0} s on {Environment.ProcessorCount} cores"
        );
    }

    /// <summary>Busy time of all CPUs since boot (Linux /proc/stat: everything but idle and iowait).</summary>
    private static TimeSpan? MachineBusy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat")
                .First()
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1)
                .Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture))
                .ToArray();
            var busy = fields.Sum() - fields[3] - fields[4];
            return TimeSpan.FromSeconds(busy / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
