using System.Globalization;

namespace Skein.Bench.Api;

/// <summary>Latency samples in milliseconds, safe to add from many tasks; percentiles by nearest rank.</summary>
public sealed class Latencies
{
    private readonly List<double> _samples = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (_lock)
        {
            _samples.Add(milliseconds);
        }
    }

    public void AddRange(IEnumerable<double> milliseconds)
    {
        lock (_lock)
        {
            _samples.AddRange(milliseconds);
        }
    }

    public Summary Summarize()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        return sorted.Length == 0
            ? new Summary(0, 0, 0, 0, 0)
            : new Summary(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public sealed record Summary(int Count, double P50, double P90, double P99, double Max)
    {
        public override string ToString() =>
            string.Create(
                CultureInfo.InvariantCulture,
                $"n={Count} p50={P50:0.00} ms p90={P90:0.00} ms p99={P99:0.00} ms max={Max:0.00} ms"
            );
    }
}
