using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Core.Triggers;
using Skein.Manifests.Documents;
using Skein.Manifests.Parsing;
using Skein.Manifests.Planning;

namespace Skein.Manifests.Export;

/// <summary>
/// An agent's subtree (its provider, the services and operations its versions use, the agent, its versions and
/// triggers) as a manifest that applies cleanly on an empty workspace. Deterministic (no timestamps, ids never
/// appear), so export → apply → export gives the same text. Secrets never appear: each becomes a declared input.
/// </summary>
public static class ManifestExporter
{
    private static readonly JsonSerializerOptions ScriptOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    public static string Export(WorkspaceState state, string agentName)
    {
        // The subtree includes the sub-agents the versions may dispatch (and theirs), so the file applies alone.
        var agents = SubTree(state, agentName);
        var versions = agents
            .SelectMany(a =>
                state
                    .Versions.Where(v => v.Spec.AgentName == a.Name)
                    .OrderBy(v => v.CreatedAt)
                    .ThenBy(v => LabelNumber(v.Spec.Label))
                    .ThenBy(v => v.Spec.Label, StringComparer.Ordinal)
            )
            .ToList();
        var used = versions
            .SelectMany(v => JsonSerializer.Deserialize<List<string>>(v.Spec.Operations) ?? [])
            .Distinct()
            .ToList();
        var operations = state
            .Operations.Where(o => used.Contains(o.Spec.Name))
            .Select(o => o.Spec)
            .OrderBy(o => o.Name, StringComparer.Ordinal)
            .ToList();
        var services = state
            .Services.Where(s => operations.Any(o => o.ServiceName == s.Spec.Name))
            .Select(s => s.Spec)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        var triggers = agents
            .SelectMany(a =>
                state
                    .Triggers.Where(t => t.Spec.AgentName == a.Name)
                    .Select(t => t.Spec)
                    .OrderBy(t => t.Name, StringComparer.Ordinal)
            )
            .ToList();
        var providers = agents
            .Select(a => a.ProviderName)
            .Distinct()
            .Select(name => state.Providers.FirstOrDefault(p => p.Spec.Name == name)?.Spec)
            .OfType<ProviderSpec>()
            .ToList();
        var inputs = new List<object>();

        var root = YamlTree.Map();
        root["kind"] = ManifestDocument.Kind;
        root["version"] = 1;
        root["metadata"] = new OrderedDictionary<string, object?> { ["label"] = agentName };
        root["inputs"] = inputs;
        if (providers.Count > 0)
        {
            root["llmProviders"] = providers.Select(p => Provider(p, inputs)).ToList();
        }

        if (services.Count > 0)
        {
            root["services"] = services
                .Select(s => Service(s, operations.Where(o => o.ServiceName == s.Name), inputs))
                .ToList();
        }

        root["agents"] = agents.Select(Agent).ToList();
        root["versions"] = versions.Select(v => Version(v, operations)).ToList();
        if (triggers.Count > 0)
        {
            root["triggers"] = triggers.Select(t => Trigger(t, inputs)).ToList();
        }

        if (inputs.Count == 0)
        {
            root.Remove("inputs");
        }

        return YamlTree.Write(root);
    }

    /// <summary>The agent, then the sub-agents its versions list, breadth first, each once.</summary>
    private static List<AgentSpec> SubTree(WorkspaceState state, string agentName)
    {
        var result = new List<AgentSpec>();
        var queue = new Queue<string>([agentName]);
        while (queue.TryDequeue(out var name))
        {
            if (result.Any(a => a.Name == name) || state.Agents.FirstOrDefault(a => a.Spec.Name == name) is not { } a)
            {
                continue;
            }

            result.Add(a.Spec);
            foreach (var v in state.Versions.Where(v => v.Spec.AgentName == name))
            {
                foreach (var child in JsonSerializer.Deserialize<List<string>>(v.Spec.AllowedSubAgents) ?? [])
                {
                    queue.Enqueue(child);
                }
            }
        }

        return result;
    }

    private static object Provider(ProviderSpec p, List<object> inputs)
    {
        var map = YamlTree.Map();
        map["name"] = p.Name;
        map["type"] = p.Kind;
        Add(map, "baseUrl", p.BaseUrl);
        if (Core.Usage.ModelPrices.Parse(p.PricesJson).ByModel is { Count: > 0 } prices)
        {
            var priced = YamlTree.Map();
            foreach (var (model, price) in prices)
            {
                var entry = YamlTree.Map();
                entry["inputPerMTok"] = price.InputPerMTok;
                entry["outputPerMTok"] = price.OutputPerMTok;
                if (price.CachedInputPerMTok is { } cached)
                {
                    entry["cachedInputPerMTok"] = cached;
                }

                priced[model] = entry;
            }

            map["prices"] = priced;
        }
        if (p.Kind != "scripted")
        {
            map["apiKey"] = Secret(
                inputs,
                SecretNames.InputKey(p.Name, "api_key"),
                $"API key of LLM provider {p.Name}"
            );
        }

        return map;
    }

    private static object Service(ServiceSpec s, IEnumerable<OperationSpec> operations, List<object> inputs)
    {
        var config = YamlTree.Map();
        config["baseUrl"] = s.BaseUrl;
        if (s.AuthType != "none")
        {
            var auth = YamlTree.Map();
            auth["type"] = s.AuthType;
            Add(auth, "headerName", s.AuthHeaderName);
            auth["secret"] = Secret(inputs, SecretNames.InputKey(s.Name, "auth"), $"credential of service {s.Name}");
            config["auth"] = auth;
        }

        var map = YamlTree.Map();
        map["manifestKey"] = s.Name;
        map["name"] = s.Name;
        map["type"] = "http";
        map["config"] = config;
        map["operations"] = operations.Select(Operation).ToList();
        return map;
    }

    private static object Operation(OperationSpec o)
    {
        var configuration = YamlTree.Map();
        configuration["method"] = o.Method;
        configuration["path"] = o.Path;
        Add(configuration, "argumentsSchema", YamlTree.FromJson(o.ArgumentsSchema));
        configuration["idempotent"] = o.Idempotent;
        configuration["timeoutSec"] = o.TimeoutSec;
        Add(configuration, "approvalTimeoutSec", o.ApprovalTimeoutSec);

        var map = YamlTree.Map();
        map["manifestKey"] = o.Name;
        map["name"] = o.Name;
        map["description"] = o.Description;
        map["requireApproval"] = o.RequireApproval;
        map["configuration"] = configuration;
        return map;
    }

    private static object Agent(AgentSpec a)
    {
        var map = YamlTree.Map();
        map["manifestKey"] = a.Name;
        map["name"] = a.Name;
        map["executionMode"] = ManifestMapping.ManifestMode(a.ExecutionMode);
        map["llmProviderName"] = a.ProviderName;
        return map;
    }

    private static object Version(ExistingVersion version, List<OperationSpec> operations)
    {
        var v = version.Spec;
        var limits = JsonSerializer.Deserialize<RunLimits>(v.Limits, SkeinJson.Options) ?? new RunLimits();
        var map = YamlTree.Map();
        map["agentManifestKey"] = v.AgentName;
        map["status"] = version.State == nameof(VersionState.Deployed) ? "deployed" : "testing";
        map["versionLabel"] = v.Label;
        map["llmModel"] = v.Model;
        map["description"] = v.Description;
        map["instructions"] = v.Instructions;
        map["temperature"] = v.Temperature;
        Add(map, "topP", v.TopP);
        Add(map, "topK", v.TopK);
        map["maxIterations"] = limits.MaxIterations;
        map["maxToolCalls"] = limits.MaxToolCalls;
        map["maxTokensPerRun"] = limits.MaxTokensPerRun;
        Add(map, "maxSessionTokens", limits.MaxSessionTokens);
        Add(map, "maxSessionDurationSec", limits.MaxSessionDurationSec);
        Add(map, "inputSchema", YamlTree.FromJson(v.InputSchema));
        Add(map, "outputSchema", YamlTree.FromJson(v.OutputSchema));
        map["allowedOperations"] = (JsonSerializer.Deserialize<List<string>>(v.Operations) ?? [])
            .Select(name =>
            {
                var reference = YamlTree.Map();
                reference["serviceName"] = operations.FirstOrDefault(o => o.Name == name)?.ServiceName
                    ?? BuiltInTools.ServiceName;
                reference["operationName"] = name;
                return reference;
            })
            .ToList();
        map["conversation"] = v.Conversation;
        map["conversationIdleTimeoutSec"] = v.ConversationIdleTimeoutSec;
        if (v.MidRunMessages != MidRunMessagesWire.Enqueue)
        {
            map["midRunMessages"] = v.MidRunMessages;
        }

        if (v.CanExecuteSubAgents)
        {
            map["canExecuteSubAgents"] = true;
            map["subAgentExecutionModel"] = ManifestMapping.ManifestSubAgentModel(v.SubAgentExecutionModel);
            map["allowedSubAgents"] = JsonSerializer.Deserialize<List<string>>(v.AllowedSubAgents) ?? [];
        }
        else if (v.SubAgentExecutionModel != nameof(SubAgentExecutionModel.Sequential))
        {
            map["subAgentExecutionModel"] = ManifestMapping.ManifestSubAgentModel(v.SubAgentExecutionModel);
        }

        if (JsonNode.Parse(v.GuardRules) is JsonArray { Count: > 0 } rules)
        {
            map["guardRules"] = YamlTree.FromJson(rules);
        }

        var script = JsonSerializer.Deserialize<List<ScriptTurn>>(v.Script, SkeinJson.Options) ?? [];
        if (script.Count > 0)
        {
            map["x-skein"] = new OrderedDictionary<string, object?>
            {
                ["script"] = YamlTree.FromJson(JsonSerializer.SerializeToNode(script, ScriptOptions)),
            };
        }

        return map;
    }

    private static object Trigger(TriggerSpec t, List<object> inputs)
    {
        var settings = JsonNode.Parse(TriggerSettingsJson.Normalize(t.Type, t.Settings)) as JsonObject ?? [];
        var map = YamlTree.Map();
        map["agentManifestKey"] = t.AgentName;
        map["name"] = t.Name;
        map["type"] = t.Type;
        map["active"] = t.Active;
        switch (t.Type)
        {
            case TriggerTypes.Api:
                var api = JsonSerializer.Deserialize<ApiTriggerSettings>(settings.ToJsonString(), SkeinJson.Options)
                    ?? new ApiTriggerSettings();
                Add(map, "rpmLimit", api.RpmLimit);
                Add(map, "maxConcurrentRuns", api.MaxConcurrentRuns);
                map["exposeStepTimelineToApi"] = api.ExposeStepTimeline;
                if (api.IpAllowlist.Count > 0)
                {
                    map["ipAllowlist"] = api.IpAllowlist.ToList();
                }

                break;
            case TriggerTypes.Scheduled:
                map["cron"] = TriggerSettingsJson.Text(settings, "cron");
                map["timeZone"] = TriggerSettingsJson.Text(settings, "time_zone");
                Add(map, "input", YamlTree.FromJson(settings["input"]));
                break;
            case TriggerTypes.Event:
                map["signingSecret"] = Secret(
                    inputs,
                    SecretNames.InputKey(t.AgentName, t.Name, "signing_secret"),
                    $"signing secret of event trigger {t.Name} of {t.AgentName}"
                );
                Add(map, "inputPath", TriggerSettingsJson.Text(settings, "input_path"));
                break;
        }

        return map;
    }

    private static string Secret(List<object> inputs, string key, string description)
    {
        var input = YamlTree.Map();
        input["key"] = key;
        input["type"] = "secret";
        input["description"] = description;
        inputs.Add(input);
        return $"{{{{inputs.{key}}}}}";
    }

    private static void Add(OrderedDictionary<string, object?> map, string key, object? value)
    {
        if (value is not null)
        {
            map[key] = value;
        }
    }

    private static int LabelNumber(string label) =>
        label.Length > 1 && label[0] == 'v' && int.TryParse(label.AsSpan(1), out var n) ? n : int.MaxValue;
}
