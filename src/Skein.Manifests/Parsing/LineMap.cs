namespace Skein.Manifests.Parsing;

/// <summary>
/// Where each node of a YAML document starts, by path (<c>agents[0].name</c>). A path with no node of its own (a
/// missing required key) resolves to its nearest ancestor, which is where the fix goes.
/// </summary>
public sealed class LineMap
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    public void Set(string path, int line) => _lines[path] = line;

    public int? LineOf(string path)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (_lines.TryGetValue(p, out var line))
            {
                return line;
            }

            if (p.Length == 0)
            {
                return null;
            }
        }
    }

    public ManifestProblem Problem(string path, string message) =>
        new(path.Length == 0 ? "(document)" : path, LineOf(path), message);

    /// <summary>Copies every entry under a new path (documents of a stream are concatenated, so their array indices
    /// shift).</summary>
    public void MergeFrom(LineMap other, Func<string, string> rename)
    {
        foreach (var (path, line) in other._lines)
        {
            _lines.TryAdd(rename(path), line);
        }
    }

    /// <summary>Makes <paramref name="to"/> and everything under it resolve to the lines of <paramref name="from"/>:
    /// a key written in Phrony's spelling is checked under Skein's, and its problems point at the line
    /// written.</summary>
    public void Alias(string from, string to)
    {
        foreach (var (path, line) in _lines.ToList())
        {
            if (
                path == from
                || path.StartsWith(from + ".", StringComparison.Ordinal)
                || path.StartsWith(from + "[", StringComparison.Ordinal)
            )
            {
                _lines[to + path[from.Length..]] = line;
            }
        }
    }

    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
