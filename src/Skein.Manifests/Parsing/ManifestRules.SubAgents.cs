using Skein.Core.Agents;
using Skein.Manifests.Documents;
using Skein.Manifests.Planning;

namespace Skein.Manifests.Parsing;

/// <summary>Multi-agent wiring of a version (SPEC section 9), by <c>manifestKey</c>: the rules of
/// <see cref="SubAgentRules"/>, checked against the file's own agents so a dry run reports them.</summary>
public static partial class ManifestRules
{
    private static void CheckSubAgents(
        ManifestDocument manifest,
        ManifestVersion version,
        ManifestAgent agent,
        string path,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        var modes = new Dictionary<string, (string Name, ExecutionMode Mode)>(StringComparer.Ordinal);
        foreach (var a in manifest.Agents)
        {
            modes.TryAdd(a.ManifestKey, (a.Name, ManifestMapping.ModeOf(a.ExecutionMode)));
        }

        var problems = SubAgentRules.CheckWiring(
            agent.ManifestKey,
            ManifestMapping.CanExecuteSubAgents(version),
            version.AllowedSubAgents,
            modes
        );
        foreach (var problem in problems)
        {
            var (field, message) = Split(problem);
            errors.Add(lines.Problem($"{path}.{field}", message.Replace("no agent ", "no agent with manifestKey ")));
        }

        if (SubAgentRules.CheckDescription(ManifestMapping.ModeOf(agent.ExecutionMode), version.Description) is { } d)
        {
            var (field, message) = Split(d);
            errors.Add(lines.Problem($"{path}.{field}", message));
        }
    }
}
