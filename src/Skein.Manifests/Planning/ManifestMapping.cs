using System.Text.Json;
using System.Text.Json.Nodes;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Core.Limits;
using Skein.Core.Triggers;
using Skein.Manifests.Documents;
using Skein.Manifests.Parsing;

namespace Skein.Manifests.Planning;

/// <summary>Manifest sections → the specs the store holds, and the normalizations both sides share so they
/// compare.</summary>
public static class ManifestMapping
{
    public static ExecutionMode ModeOf(string manifestMode) =>
        manifestMode switch
        {
            "hitl" => ExecutionMode.HITL,
            "sub_agent" => ExecutionMode.SubAgent,
            _ => ExecutionMode.Request,
        };

    public static string ManifestMode(string storedMode) =>
        storedMode switch
        {
            nameof(ExecutionMode.HITL) => "hitl",
            nameof(ExecutionMode.SubAgent) => "sub_agent",
            _ => "request",
        };

    /// <summary>The version as a draft, so the version API's own rules check it.</summary>
    public static VersionDraft Draft(ManifestVersion v) =>
        new()
        {
            Description = v.Description,
            Model = v.LlmModel,
            Instructions = v.Instructions,
            Temperature = v.Temperature,
            TopP = v.TopP,
            TopK = v.TopK,
            InputSchema = v.InputSchema,
            OutputSchema = v.OutputSchema,
            Conversation = v.Conversation,
            ConversationIdleTimeoutSec = v.ConversationIdleTimeoutSec,
            MidRunMessages = v.MidRunMessages,
            Limits = Limits(v),
        };

    public static RunLimits Limits(ManifestVersion v)
    {
        var defaults = new RunLimits();
        return new RunLimits
        {
            MaxIterations = v.MaxIterations ?? defaults.MaxIterations,
            MaxToolCalls = v.MaxToolCalls ?? defaults.MaxToolCalls,
            MaxTokensPerRun = v.MaxTokensPerRun ?? defaults.MaxTokensPerRun,
            MaxSessionTokens = v.MaxSessionTokens,
            MaxSessionDurationSec = v.MaxSessionDurationSec,
        };
    }

    public static ProviderSpec Provider(ManifestProvider p) =>
        new(p.Name, p.Type, NullIfEmpty(p.BaseUrl)) { PricesJson = Core.Usage.ModelPrices.Of(p.Prices).ToJson() };

    public static ServiceSpec Service(ManifestService s)
    {
        var auth = s.Config?.Auth;
        var type = auth?.Type ?? "none";
        return new ServiceSpec(
            s.Name,
            s.Config?.BaseUrl ?? "",
            type,
            type == "header" ? auth?.HeaderName : null,
            type == "none" ? null : SecretNames.ServiceAuth(s.Name)
        );
    }

    public static OperationSpec Operation(string serviceName, ManifestOperation o)
    {
        var c = o.Configuration ?? new ManifestOperationConfig();
        return new OperationSpec(
            serviceName,
            o.Name,
            o.Description ?? "",
            c.Method.ToUpperInvariant(),
            c.Path,
            Json(c.ArgumentsSchema),
            o.RequireApproval,
            c.Idempotent,
            c.TimeoutSec ?? 30,
            c.ApprovalTimeoutSec
        );
    }

    public static AgentSpec Agent(ManifestAgent a) =>
        new(a.Name, ModeOf(a.ExecutionMode).ToString(), a.LlmProviderName ?? "");

    /// <summary>The switch as the file states it, on by default when the file lists sub-agents.</summary>
    public static bool CanExecuteSubAgents(ManifestVersion v) => v.CanExecuteSubAgents ?? v.AllowedSubAgents.Count > 0;

    public static string SubAgentModel(string? manifestModel) =>
        manifestModel == "parallel"
            ? nameof(Core.Agents.SubAgentExecutionModel.Parallel)
            : nameof(Core.Agents.SubAgentExecutionModel.Sequential);

    public static string ManifestSubAgentModel(string storedModel) =>
        storedModel == nameof(Core.Agents.SubAgentExecutionModel.Parallel) ? "parallel" : "sequential";

    /// <summary>The version as the store would hold it; <paramref name="agentNames"/> maps the file's
    /// <c>manifestKey</c>s to agent names (sub-agents are listed by key).</summary>
    public static VersionSpec Version(
        ManifestVersion v,
        string agentName,
        IReadOnlyDictionary<string, string>? agentNames = null
    ) =>
        new()
        {
            AgentName = agentName,
            Label = v.VersionLabel,
            Description = v.Description ?? "",
            Model = v.LlmModel,
            Instructions = v.Instructions ?? "",
            Temperature = v.Temperature ?? 0.7,
            TopP = v.TopP,
            TopK = v.TopK,
            InputSchema = Json(v.InputSchema),
            OutputSchema = Json(v.OutputSchema),
            Operations = OperationsJson(v.AllowedOperations.Select(r => r.OperationName)),
            Limits = JsonSerializer.Serialize(Limits(v), SkeinJson.Options),
            Conversation = v.Conversation ?? "single",
            ConversationIdleTimeoutSec = v.ConversationIdleTimeoutSec ?? 1800,
            MidRunMessages = v.MidRunMessages ?? MidRunMessagesWire.Enqueue,
            GuardRules = JsonSerializer.Serialize(
                v.GuardRules is { ValueKind: JsonValueKind.Array } g
                    ? g.Deserialize<List<GuardRule>>(SkeinJson.Options)
                    : [],
                SkeinJson.Options
            ),
            Script = JsonSerializer.Serialize(
                v.Skein?.Script is { ValueKind: JsonValueKind.Array } s
                    ? s.Deserialize<List<ScriptTurn>>(ManifestParser.ReadOptions)
                    : [],
                SkeinJson.Options
            ),
            CanExecuteSubAgents = CanExecuteSubAgents(v),
            AllowedSubAgents = SubAgentsJson(v.AllowedSubAgents.Select(k => agentNames?.GetValueOrDefault(k) ?? k)),
            SubAgentExecutionModel = SubAgentModel(v.SubAgentExecutionModel),
        };

    /// <summary>Allowed sub-agents by name, in order: how specs hold and compare them.</summary>
    public static string SubAgentsJson(IEnumerable<string> names) => JsonSerializer.Serialize(names.ToList());

    public static TriggerSpec Trigger(ManifestTrigger t, string agentName) =>
        new(
            agentName,
            t.Name,
            t.Type,
            t.Active,
            t.Type switch
            {
                TriggerTypes.Scheduled => TriggerSettingsJson.Scheduled(t.Cron ?? "", t.TimeZone ?? "UTC", t.Input),
                TriggerTypes.Event => TriggerSettingsJson.Event(
                    SecretNames.EventSigning(agentName, t.Name),
                    NullIfEmpty(t.InputPath)
                ),
                _ => TriggerSettingsJson.Api(
                    new ApiTriggerSettings
                    {
                        RpmLimit = t.RpmLimit,
                        MaxConcurrentRuns = t.MaxConcurrentRuns,
                        IpAllowlist = t.IpAllowlist ?? [],
                        ExposeStepTimeline = t.ExposeStepTimelineToApi ?? true,
                    }
                ),
            }
        );

    public static string OperationsJson(IEnumerable<string> names) => JsonSerializer.Serialize(names.ToList());

    /// <summary>Compact JSON text of a value, or null for absent/null: how schemas are compared and stored.</summary>
    public static string? Json(JsonElement? value) =>
        value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } v
            ? JsonNode.Parse(v.GetRawText())?.ToJsonString()
            : null;

    public static string? Json(string? stored) =>
        string.IsNullOrWhiteSpace(stored) ? null : JsonNode.Parse(stored)?.ToJsonString();

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
