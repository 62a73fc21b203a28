using Skein.Manifests.Documents;

namespace Skein.Manifests.Parsing;

/// <summary>A parsed manifest, or the errors that stop it. Warnings (unknown keys, settings Skein ignores) never stop
/// it.</summary>
public sealed record ManifestParseResult(
    ManifestDocument? Document,
    IReadOnlyList<ManifestProblem> Errors,
    IReadOnlyList<ManifestProblem> Warnings,
    LineMap Lines
)
{
    public bool IsValid => Document is not null && Errors.Count == 0;
}
