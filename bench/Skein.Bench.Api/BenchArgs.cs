using System.Globalization;

namespace Skein.Bench.Api;

/// <summary><c>command [--smoke] [--name value]…</c>; sizes default per mode and can be overridden by name.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values;

    private BenchArgs(string command, bool smoke, Dictionary<string, string> values)
    {
        Command = command;
        Smoke = smoke;
        _values = values;
    }

    public string Command { get; }

    /// <summary>Tiny sizes that finish in seconds: what CI runs to prove the drivers still work.</summary>
    public bool Smoke { get; }

    public static BenchArgs? Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            return null;
        }

        var smoke = false;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--smoke")
            {
                smoke = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                return null;
            }
        }

        return new BenchArgs(args[0], smoke, values);
    }

    public string Text(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
