namespace Skein.Manifests.Parsing;

/// <summary>One problem in a manifest: the YAML path (<c>versions[0].temperature</c>), its line (1-based) when known,
/// and what is wrong.</summary>
public sealed record ManifestProblem(string Path, int? Line, string Message)
{
    public override string ToString() => Line is { } line ? $"{Path}: {Message} (line {line})" : $"{Path}: {Message}";
}
