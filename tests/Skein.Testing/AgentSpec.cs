using Skein.Core.Agents;
using Skein.Core.Limits;

namespace Skein.Testing;

/// <summary>What a test agent looks like; defaults give a Request agent with a deployed scripted version.</summary>
public sealed record AgentSpec
{
    public string Name { get; init; } = "agent-" + Guid.NewGuid().ToString("N")[..8];
    public ExecutionMode Mode { get; init; } = ExecutionMode.Request;
    public string ProviderKind { get; init; } = "scripted";
    public string? ProviderBaseUrl { get; init; }

    /// <summary>The provider key: <see cref="EngineTestHost.CreateAgentAsync"/> stores it as a secret and points the
    /// provider at it.</summary>
    public string? ProviderApiKey { get; init; }

    /// <summary>Name of the secret holding the provider key.</summary>
    public string? ProviderApiKeySecretName { get; init; }
    public string Model { get; init; } = "skein-scripted";
    public string Instructions { get; init; } = "You are a test agent.";
    public IReadOnlyList<ScriptTurn> Script { get; init; } = [];
    public IReadOnlyList<string> Operations { get; init; } = [];
    public RunLimits Limits { get; init; } = new();
    public string? InputSchema { get; init; }
    public string? OutputSchema { get; init; }
    public ConversationMode Conversation { get; init; } = ConversationMode.Single;
    public int ConversationIdleTimeoutSec { get; init; } = 1800;
    public MidRunMessages MidRunMessages { get; init; } = MidRunMessages.Enqueue;
    public VersionState State { get; init; } = VersionState.Deployed;

    /// <summary>The version's description: a sub-agent's tool description.</summary>
    public string Description { get; init; } = "";

    /// <summary>Sub-agents this version may call (written as is, with the switch on when any; validation is the
    /// API's job).</summary>
    public IReadOnlyList<Guid> AllowedSubAgents { get; init; } = [];

    public SubAgentExecutionModel SubAgentExecutionModel { get; init; } = SubAgentExecutionModel.Sequential;

    /// <summary>Guard rules as their JSON document (written as is; validation is the API's job).</summary>
    public string GuardRules { get; init; } = "[]";
}

/// <summary>An HTTP operation for a test agent, pointing at a local test server.</summary>
public sealed record OperationSpec(string Name, string BaseUrl, string Method = "POST", string Path = "/")
{
    public bool Idempotent { get; init; }
    public bool RequireApproval { get; init; }
    public int TimeoutSec { get; init; } = 30;
    public int? ApprovalTimeoutSec { get; init; }
    public string? ArgumentsSchema { get; init; }

    /// <summary>Integration auth: <c>none</c>, <c>bearer</c> or <c>header</c> (with <see cref="AuthHeaderName"/>), from
    /// the secret <see cref="AuthSecretName"/>.</summary>
    public string AuthType { get; init; } = "none";
    public string? AuthHeaderName { get; init; }
    public string? AuthSecretName { get; init; }
}

public sealed record CreatedAgent(Guid AgentId, Guid VersionId, Guid TenantId);
