using Skein.Core.Agents;
using Skein.Core.Triggers;
using Skein.Manifests.Documents;
using Skein.Manifests.Parsing;

namespace Skein.Manifests.Planning;

/// <summary>
/// Compares a manifest with the workspace and decides, per resource, create / update / unchanged (pure). Resources are
/// matched by name (versions by agent + label, triggers by agent + name; an agent's one api trigger also by type).
/// Nothing the manifest does not mention is touched. Deployed and archived versions are read-only, so changing one's
/// content is an error that asks for a new label.
/// </summary>
public static class ManifestPlanner
{
    public static ManifestPlan Plan(ManifestDocument manifest, WorkspaceState state, LineMap lines)
    {
        var problems = new List<ManifestProblem>();
        var secrets = new List<SecretWrite>();

        var providers = manifest
            .LlmProviders.Select(p =>
            {
                if (!string.IsNullOrEmpty(p.ApiKey))
                {
                    secrets.Add(new SecretWrite(SecretNames.ProviderApiKey(p.Name), p.ApiKey));
                }

                return Match(state.Providers, ManifestMapping.Provider(p), s => s.Name == p.Name);
            })
            .ToList();

        var httpServices = manifest.Services.Where(s => s.Type != "built_in").ToList();
        var services = httpServices
            .Select(s =>
            {
                if (s.Config?.Auth is { Type: not "none", Secret: { Length: > 0 } secret })
                {
                    secrets.Add(new SecretWrite(SecretNames.ServiceAuth(s.Name), secret));
                }

                return Match(state.Services, ManifestMapping.Service(s), x => x.Name == s.Name);
            })
            .ToList();

        var operations = httpServices
            .SelectMany(s =>
                s.Operations.Select(o =>
                    Match(state.Operations, ManifestMapping.Operation(s.Name, o), x => x.Name == o.Name)
                )
            )
            .ToList();

        var agentNames = manifest.Agents.ToDictionary(a => a.ManifestKey, a => a.Name, StringComparer.Ordinal);
        var agents = manifest
            .Agents.Select(
                (a, i) =>
                {
                    if (
                        !manifest.LlmProviders.Any(p => p.Name == a.LlmProviderName)
                        && !state.Providers.Any(p => p.Spec.Name == a.LlmProviderName)
                    )
                    {
                        problems.Add(
                            lines.Problem(
                                $"agents[{i}].llmProviderName",
                                $"no LLM provider '{a.LlmProviderName}' in this manifest or the workspace"
                            )
                        );
                    }

                    return Match(state.Agents, ManifestMapping.Agent(a), x => x.Name == a.Name);
                }
            )
            .ToList();

        var versions = manifest
            .Versions.Select((v, i) => PlanVersion(v, i, agentNames, manifest, state, lines, problems))
            .ToList();

        var triggers = manifest
            .Triggers.Select(t =>
            {
                var agentName = agentNames[t.AgentManifestKey];
                if (t.Type == TriggerTypes.Event && !string.IsNullOrEmpty(t.SigningSecret))
                {
                    secrets.Add(new SecretWrite(SecretNames.EventSigning(agentName, t.Name), t.SigningSecret));
                }

                var spec = ManifestMapping.Trigger(t, agentName);
                var existing = state.Triggers.FirstOrDefault(x =>
                    x.Spec.AgentName == agentName && x.Spec.Name == t.Name
                )
                    ?? (
                        t.Type == TriggerTypes.Api
                            ? state.Triggers.FirstOrDefault(x =>
                                x.Spec.AgentName == agentName && x.Spec.Type == TriggerTypes.Api
                            )
                            : null
                    );
                return Compare(existing, spec);
            })
            .ToList();

        return new ManifestPlan
        {
            Problems = problems,
            Providers = providers,
            Services = services,
            Operations = operations,
            Agents = agents,
            Versions = versions,
            Triggers = triggers,
            Secrets = secrets,
        };
    }

    private static PlannedVersion PlanVersion(
        ManifestVersion v,
        int i,
        IReadOnlyDictionary<string, string> agentNames,
        ManifestDocument manifest,
        WorkspaceState state,
        LineMap lines,
        List<ManifestProblem> problems
    )
    {
        var agentName = agentNames[v.AgentManifestKey];
        for (var j = 0; j < v.AllowedOperations.Count; j++)
        {
            var r = v.AllowedOperations[j];
            if (r.ServiceName == BuiltInTools.ServiceName || manifest.Services.Any(s => s.Name == r.ServiceName))
            {
                continue; // checked against the file by ManifestRules
            }

            if (!state.Operations.Any(o => o.Spec.ServiceName == r.ServiceName && o.Spec.Name == r.OperationName))
            {
                problems.Add(
                    lines.Problem(
                        $"versions[{i}].allowedOperations[{j}]",
                        $"no operation '{r.OperationName}' of service '{r.ServiceName}' in this manifest or the "
                            + $"workspace"
                    )
                );
            }
        }

        var spec = ManifestMapping.Version(v, agentName, agentNames);
        var deployed = v.Status == "deployed";
        var existing = state.Versions.FirstOrDefault(x =>
            x.Spec.AgentName == agentName && x.Spec.Label == v.VersionLabel
        );
        if (existing is null)
        {
            return new PlannedVersion(null, spec, WriteContent: true, Deploy: deployed, ChangeAction.Create);
        }

        var changed = existing.Spec != spec;
        if (changed && existing.State != nameof(VersionState.Testing))
        {
            problems.Add(
                lines.Problem(
                    $"versions[{i}]",
                    $"{agentName} {v.VersionLabel} is {existing.State} and read-only, but its settings differ: give "
                        + $"the changed version a new versionLabel"
                )
            );
        }

        var deploy = deployed && existing.State != nameof(VersionState.Deployed);
        return new PlannedVersion(
            existing.Id,
            spec,
            changed,
            deploy,
            changed || deploy ? ChangeAction.Update : ChangeAction.Unchanged
        )
        {
            PreviousSubAgents = existing.Spec.AllowedSubAgents,
        };
    }

    private static Planned<T> Match<T>(IReadOnlyList<Existing<T>> existing, T spec, Func<T, bool> sameName)
        where T : notnull => Compare(existing.FirstOrDefault(x => sameName(x.Spec)), spec);

    private static Planned<T> Compare<T>(Existing<T>? existing, T spec)
        where T : notnull =>
        existing is null
            ? new Planned<T>(null, spec, ChangeAction.Create)
            : new Planned<T>(
                existing.Id,
                spec,
                existing.Spec.Equals(spec) ? ChangeAction.Unchanged : ChangeAction.Update
            );
}
