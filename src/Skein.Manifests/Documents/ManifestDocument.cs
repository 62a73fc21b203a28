using System.Text.Json;
using System.Text.Json.Serialization;

namespace Skein.Manifests.Documents;

/// <summary>
/// A manifest (SPEC section 7) after placeholders are filled and the JSON Schema has passed. Field names are the
/// manifest's camelCase keys; Skein extensions live under <c>x-skein</c>, which the original format ignores.
/// </summary>
public sealed record ManifestDocument
{
    public const string Kind = "phrony.manifest";
    public const string LegacyKind = "phrony.workspace.manifest";

    public ManifestMetadata? Metadata { get; init; }
    public IReadOnlyList<ManifestInput> Inputs { get; init; } = [];
    public IReadOnlyList<ManifestProvider> LlmProviders { get; init; } = [];
    public IReadOnlyList<ManifestService> Services { get; init; } = [];
    public IReadOnlyList<ManifestAgent> Agents { get; init; } = [];
    public IReadOnlyList<ManifestVersion> Versions { get; init; } = [];
    public IReadOnlyList<ManifestTrigger> Triggers { get; init; } = [];
}

public sealed record ManifestMetadata(string? Label, string? ExportedAt);

/// <summary>A declared <c>{{inputs.key}}</c> placeholder; its value comes from the values file.</summary>
public sealed record ManifestInput(string Key, string? Type, string? Description);

/// <summary>An LLM provider: <c>type</c> is <c>scripted</c>, <c>openai</c> or <c>anthropic</c> (Phrony's
/// <c>openai_azure</c> and <c>self_hosted</c> read as <c>openai</c>); <c>apiKey</c> is a secret (normally an
/// input).</summary>
public sealed record ManifestProvider(string Name, string Type, string? BaseUrl, string? ApiKey)
{
    /// <summary>Per-model prices, <c>{model: {inputPerMTok, outputPerMTok, cachedInputPerMTok}}</c> (SPEC section
    /// 12); absent means none.</summary>
    public IReadOnlyDictionary<string, Core.Usage.ModelPrice>? Prices { get; init; }
}

public sealed record ManifestService
{
    public string? ManifestKey { get; init; }
    public required string Name { get; init; }

    /// <summary><c>http</c> (an integration) or <c>built_in</c> (Skein's own tools: nothing is stored).</summary>
    public string Type { get; init; } = "http";

    public ManifestServiceConfig? Config { get; init; }
    public IReadOnlyList<ManifestOperation> Operations { get; init; } = [];
}

public sealed record ManifestServiceConfig(string? BaseUrl, ManifestServiceAuth? Auth);

/// <summary>Integration auth: <c>none</c>, <c>bearer</c> (Authorization header) or <c>header</c> (a named header); the
/// value is a secret.</summary>
public sealed record ManifestServiceAuth(string Type, string? HeaderName, string? Secret);

public sealed record ManifestOperation
{
    public string? ManifestKey { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public ManifestOperationConfig? Configuration { get; init; }
    public bool RequireApproval { get; init; }
}

public sealed record ManifestOperationConfig
{
    public string Method { get; init; } = "POST";
    public string Path { get; init; } = "/";
    public JsonElement? ArgumentsSchema { get; init; }
    public bool Idempotent { get; init; }
    public int? TimeoutSec { get; init; }
    public int? ApprovalTimeoutSec { get; init; }
}

public sealed record ManifestAgent(string ManifestKey, string Name, string ExecutionMode, string? LlmProviderName);

public sealed record ManifestVersion
{
    public required string AgentManifestKey { get; init; }
    public string Status { get; init; } = "testing";
    public required string VersionLabel { get; init; }
    public required string LlmModel { get; init; }
    public string? Description { get; init; }
    public string? Instructions { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public int? MaxIterations { get; init; }
    public int? MaxToolCalls { get; init; }
    public long? MaxTokensPerRun { get; init; }
    public long? MaxSessionTokens { get; init; }
    public int? MaxSessionDurationSec { get; init; }
    public JsonElement? InputSchema { get; init; }
    public JsonElement? OutputSchema { get; init; }
    public IReadOnlyList<ManifestOperationRef> AllowedOperations { get; init; } = [];
    public string? Conversation { get; init; }
    public int? ConversationIdleTimeoutSec { get; init; }

    /// <summary><c>enqueue</c> (default), <c>interrupt</c> or <c>reject</c> (SPEC section 12).</summary>
    public string? MidRunMessages { get; init; }
    public JsonElement? GuardRules { get; init; }

    /// <summary>Multi-agent wiring (SPEC section 9); the switch defaults to on when sub-agents are listed.</summary>
    public bool? CanExecuteSubAgents { get; init; }

    /// <summary><c>sequential</c> (default) or <c>parallel</c>.</summary>
    public string? SubAgentExecutionModel { get; init; }

    /// <summary>The <c>manifestKey</c>s of agents of this manifest in <c>sub_agent</c> mode.</summary>
    public IReadOnlyList<string> AllowedSubAgents { get; init; } = [];

    [JsonPropertyName("x-skein")]
    public ManifestVersionExtensions? Skein { get; init; }
}

public sealed record ManifestOperationRef(string ServiceName, string OperationName);

/// <summary>Skein-only version settings: the scripted model's turns (camelCase <see
/// cref="Core.Agents.ScriptTurn"/>s).</summary>
public sealed record ManifestVersionExtensions(JsonElement? Script);

public sealed record ManifestTrigger
{
    public required string AgentManifestKey { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public bool Active { get; init; } = true;
    public int? RpmLimit { get; init; }
    public int? MaxConcurrentRuns { get; init; }
    public int? MaxInputTokens { get; init; }
    public bool? ExposeStepTimelineToApi { get; init; }
    public IReadOnlyList<string>? IpAllowlist { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public JsonElement? Input { get; init; }
    public string? SigningSecret { get; init; }
    public string? InputPath { get; init; }
}
