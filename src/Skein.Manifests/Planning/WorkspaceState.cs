namespace Skein.Manifests.Planning;

/// <summary>
/// The workspace as the planner and exporter see it: one flat, comparable spec per resource, addressed by name
/// (ids never appear in a manifest). Value equality of two specs means "unchanged".
/// </summary>
public sealed record WorkspaceState
{
    public IReadOnlyList<Existing<ProviderSpec>> Providers { get; init; } = [];
    public IReadOnlyList<Existing<ServiceSpec>> Services { get; init; } = [];
    public IReadOnlyList<Existing<OperationSpec>> Operations { get; init; } = [];
    public IReadOnlyList<Existing<AgentSpec>> Agents { get; init; } = [];
    public IReadOnlyList<ExistingVersion> Versions { get; init; } = [];
    public IReadOnlyList<Existing<TriggerSpec>> Triggers { get; init; } = [];
}

public sealed record Existing<T>(Guid Id, T Spec);

/// <summary>A stored version: its spec plus where it stands in the live line.</summary>
public sealed record ExistingVersion(Guid Id, VersionSpec Spec, string State, DateTime CreatedAt, DateTime? DeployedAt);

public sealed record ProviderSpec(string Name, string Kind, string? BaseUrl)
{
    /// <summary>The provider's prices in their canonical JSON (<see cref="Core.Usage.ModelPrices.ToJson"/>), so two
    /// specs compare equal when their prices do.</summary>
    public string PricesJson { get; init; } = Core.Usage.ModelPrices.Empty.ToJson();
}

/// <summary>An HTTP integration; the auth secret is stored under <see cref="AuthSecretName"/>, never here.</summary>
public sealed record ServiceSpec(
    string Name,
    string BaseUrl,
    string AuthType,
    string? AuthHeaderName,
    string? AuthSecretName
);

public sealed record OperationSpec(
    string ServiceName,
    string Name,
    string Description,
    string Method,
    string Path,
    string? ArgumentsSchema,
    bool RequireApproval,
    bool Idempotent,
    int TimeoutSec,
    int? ApprovalTimeoutSec
);

/// <summary><see cref="ExecutionMode"/> is the stored wire string (<c>Request</c>, <c>HITL</c>,
/// <c>SubAgent</c>).</summary>
public sealed record AgentSpec(string Name, string ExecutionMode, string ProviderName);

/// <summary>
/// A version's content. JSON-valued settings are kept as normalized JSON text (as the store holds them), so two
/// specs compare by value.
/// </summary>
public sealed record VersionSpec
{
    public required string AgentName { get; init; }
    public required string Label { get; init; }
    public string Description { get; init; } = "";
    public required string Model { get; init; }
    public string Instructions { get; init; } = "";
    public double Temperature { get; init; } = 0.7;
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public string? InputSchema { get; init; }
    public string? OutputSchema { get; init; }
    public string Operations { get; init; } = "[]";
    public string Limits { get; init; } = "{}";
    public string Conversation { get; init; } = "single";
    public int ConversationIdleTimeoutSec { get; init; } = 1800;
    public string MidRunMessages { get; init; } = Core.Agents.MidRunMessagesWire.Enqueue;
    public string GuardRules { get; init; } = "[]";
    public string Script { get; init; } = "[]";
    public bool CanExecuteSubAgents { get; init; }

    /// <summary>JSON array of the allowed sub-agents' names, in the file's order (manifests name them by
    /// <c>manifestKey</c>, mapped to names by the planner; the store holds ids).</summary>
    public string AllowedSubAgents { get; init; } = "[]";

    public string SubAgentExecutionModel { get; init; } = "Sequential";
}

/// <summary>Settings is the trigger's normalized settings JSON (snake_case, as the store holds it).</summary>
public sealed record TriggerSpec(string AgentName, string Name, string Type, bool Active, string Settings);

/// <summary>A secret value to write (never compared, never read back): written through the secret store in the apply's
/// transaction.</summary>
public sealed record SecretWrite(string Name, string Value);
