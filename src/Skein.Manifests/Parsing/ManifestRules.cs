using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Manifests.Documents;
using Skein.Manifests.Planning;

namespace Skein.Manifests.Parsing;

/// <summary>
/// What the schema cannot say: value ranges (worded like the version API: <c>temperature: must be between 0 and 2</c>),
/// unique names, and references between the file's sections. References to things that already exist in the
/// workspace are checked by the planner, which sees the workspace.
/// </summary>
public static partial class ManifestRules
{
    public static void Check(
        ManifestDocument manifest,
        LineMap lines,
        List<ManifestProblem> errors,
        List<ManifestProblem> warnings
    )
    {
        Unique(manifest.Inputs.Select(i => i.Key), "inputs", "key", "input", lines, errors);
        Unique(manifest.LlmProviders.Select(p => p.Name), "llmProviders", "name", "provider", lines, errors);
        Unique(manifest.Services.Select(s => s.Name), "services", "name", "service", lines, errors);
        Unique(manifest.Agents.Select(a => a.ManifestKey), "agents", "manifestKey", "agent manifestKey", lines, errors);
        Unique(manifest.Agents.Select(a => a.Name), "agents", "name", "agent", lines, errors);
        CheckServices(manifest, lines, errors);
        CheckVersions(manifest, lines, errors);
        CheckTriggers(manifest, lines, errors, warnings);
    }

    private static void CheckServices(ManifestDocument manifest, LineMap lines, List<ManifestProblem> errors)
    {
        var operationNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Services.Count; i++)
        {
            var service = manifest.Services[i];
            var path = $"services[{i}]";
            if (service.Type == "built_in")
            {
                foreach (
                    var (op, j) in service
                        .Operations.Select((o, j) => (o, j))
                        .Where(x => !BuiltInTools.Names.Contains(x.o.Name))
                )
                {
                    errors.Add(
                        lines.Problem(
                            $"{path}.operations[{j}].name",
                            $"'{op.Name}' is not a built-in tool ({string.Join(", ", BuiltInTools.Names)})"
                        )
                    );
                }

                continue;
            }

            if (service.Name == BuiltInTools.ServiceName)
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.name",
                        $"'{BuiltInTools.ServiceName}' is reserved for Skein's built-in tools"
                    )
                );
            }

            if (service.Config?.BaseUrl is not { } baseUrl || !Core.BaseUrl.IsValid(baseUrl))
            {
                errors.Add(lines.Problem($"{path}.config.baseUrl", "must be an absolute http(s) URL"));
            }

            if (service.Config?.Auth is { } auth)
            {
                if (auth.Type != "none" && string.IsNullOrEmpty(auth.Secret))
                {
                    errors.Add(
                        lines.Problem(
                            $"{path}.config.auth.secret",
                            $"is required for {auth.Type} auth (normally {{{{inputs.key}}}} from a values file)"
                        )
                    );
                }

                if (auth.Type == "header" && string.IsNullOrWhiteSpace(auth.HeaderName))
                {
                    errors.Add(lines.Problem($"{path}.config.auth.headerName", "is required for header auth"));
                }
            }

            for (var j = 0; j < service.Operations.Count; j++)
            {
                var op = service.Operations[j];
                var opPath = $"{path}.operations[{j}]";
                if (BuiltInTools.Names.Contains(op.Name))
                {
                    errors.Add(lines.Problem($"{opPath}.name", $"'{op.Name}' is the name of a built-in tool"));
                }
                else if (!operationNames.TryAdd(op.Name, opPath))
                {
                    errors.Add(
                        lines.Problem(
                            $"{opPath}.name",
                            $"operation '{op.Name}' is already defined at {operationNames[op.Name]} (operation names "
                                + $"are unique in a workspace)"
                        )
                    );
                }

                var config = op.Configuration ?? new ManifestOperationConfig();
                if (config.Method.ToUpperInvariant() is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE"))
                {
                    errors.Add(
                        lines.Problem($"{opPath}.configuration.method", "must be one of GET, POST, PUT, PATCH, DELETE")
                    );
                }

                if (!config.Path.StartsWith('/'))
                {
                    errors.Add(lines.Problem($"{opPath}.configuration.path", "must start with /"));
                }

                if (config.TimeoutSec is < 1 or > 3600)
                {
                    errors.Add(lines.Problem($"{opPath}.configuration.timeoutSec", "must be between 1 and 3600"));
                }

                if (config.ApprovalTimeoutSec is < 1)
                {
                    errors.Add(lines.Problem($"{opPath}.configuration.approvalTimeoutSec", "must be at least 1"));
                }
            }
        }
    }

    private static void CheckVersions(ManifestDocument manifest, LineMap lines, List<ManifestProblem> errors)
    {
        var agents = manifest.Agents.ToDictionary(a => a.ManifestKey, StringComparer.Ordinal);
        var seen = new Dictionary<(string, string), int>();
        var deployed = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < manifest.Versions.Count; i++)
        {
            var version = manifest.Versions[i];
            var path = $"versions[{i}]";
            if (!agents.TryGetValue(version.AgentManifestKey, out var agent))
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.agentManifestKey",
                        $"no agent with manifestKey '{version.AgentManifestKey}' in this manifest"
                    )
                );
                continue;
            }

            if (!seen.TryAdd((version.AgentManifestKey, version.VersionLabel), i))
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.versionLabel",
                        $"{version.VersionLabel} is already defined at "
                            + $"versions[{seen[(version.AgentManifestKey, version.VersionLabel)]}]"
                    )
                );
            }

            if (version.Status == "deployed" && !deployed.TryAdd(version.AgentManifestKey, i))
            {
                errors.Add(
                    lines.Problem(
                        $"{path}.status",
                        $"agent '{agent.Name}' already has a deployed version at "
                            + $"versions[{deployed[version.AgentManifestKey]}] (at most one)"
                    )
                );
            }

            foreach (var problem in ManifestMapping.Draft(version).Problems())
            {
                var (field, message) = Split(problem);
                errors.Add(lines.Problem($"{path}.{VersionField(field)}", message));
            }

            CheckOperationRefs(manifest, version, path, lines, errors);
            CheckGuardRules(version, ManifestMapping.ModeOf(agent.ExecutionMode), path, lines, errors);
            CheckSubAgents(manifest, version, agent, path, lines, errors);
            CheckScript(version, path, lines, errors);
        }
    }

    private static void CheckOperationRefs(
        ManifestDocument manifest,
        ManifestVersion version,
        string path,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        for (var j = 0; j < version.AllowedOperations.Count; j++)
        {
            var reference = version.AllowedOperations[j];
            var refPath = $"{path}.allowedOperations[{j}]";
            var service = manifest.Services.FirstOrDefault(s => s.Name == reference.ServiceName);
            if (reference.ServiceName == BuiltInTools.ServiceName || service?.Type == "built_in")
            {
                if (!BuiltInTools.Names.Contains(reference.OperationName))
                {
                    errors.Add(
                        lines.Problem($"{refPath}.operationName", $"'{reference.OperationName}' is not a built-in tool")
                    );
                }
            }
            else if (service is not null && service.Operations.All(o => o.Name != reference.OperationName))
            {
                errors.Add(
                    lines.Problem(
                        $"{refPath}.operationName",
                        $"service '{service.Name}' has no operation '{reference.OperationName}'"
                    )
                );
            }
        }
    }

    private static void CheckGuardRules(
        ManifestVersion version,
        ExecutionMode mode,
        string path,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        if (version.GuardRules is not { ValueKind: JsonValueKind.Array } rules)
        {
            return;
        }

        try
        {
            var parsed = rules.Deserialize<List<GuardRule>>(SkeinJson.Options) ?? [];
            foreach (var problem in GuardRuleValidation.Validate(parsed, mode))
            {
                var (field, message) = Split(problem);
                errors.Add(lines.Problem($"{path}.{field}", message));
            }
        }
        catch (JsonException e)
        {
            errors.Add(
                lines.Problem($"{path}.guardRules", $"not a valid list of guard rules: {e.Message.Split('.')[0]}")
            );
        }
    }

    private static void CheckScript(ManifestVersion version, string path, LineMap lines, List<ManifestProblem> errors)
    {
        if (version.Skein?.Script is not { ValueKind: JsonValueKind.Array } script)
        {
            return;
        }

        try
        {
            script.Deserialize<List<ScriptTurn>>(ManifestParser.ReadOptions);
        }
        catch (JsonException e)
        {
            errors.Add(
                lines.Problem(
                    $"{path}.x-skein.script",
                    $"not a valid list of scripted turns: {e.Message.Split('.')[0]}"
                )
            );
        }
    }

    private static void Unique(
        IEnumerable<string> values,
        string list,
        string field,
        string what,
        LineMap lines,
        List<ManifestProblem> errors
    )
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (value, i) in values.Select((v, i) => (v, i)))
        {
            if (!first.TryAdd(value, i))
            {
                errors.Add(
                    lines.Problem(
                        $"{list}[{i}].{field}",
                        $"{what} '{value}' is already defined at {list}[{first[value]}]"
                    )
                );
            }
        }
    }

    private static (string Field, string Message) Split(string problem)
    {
        var colon = problem.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? ("", problem) : (problem[..colon].Split(' ')[0], problem[(colon + 2)..]);
    }

    // VersionDraft names fields as the version API does; the manifest names a few differently.
    private static string VersionField(string field) =>
        field switch
        {
            "model" => "llmModel",
            "limits" => "maxIterations",
            _ => field,
        };
}
