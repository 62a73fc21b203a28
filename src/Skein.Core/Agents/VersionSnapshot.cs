using System.Text.Json;
using Skein.Core.Limits;

namespace Skein.Core.Agents;

/// <summary>
/// The agent version configuration a run executes, frozen into the session's <c>startContext</c> at start
/// so a resumed run keeps its instructions even if the version changes later.
/// </summary>
public sealed record VersionSnapshot
{
    public required Guid AgentId { get; init; }
    public required string AgentName { get; init; }
    public required ExecutionMode ExecutionMode { get; init; }
    public required Guid AgentVersionId { get; init; }
    public required string VersionLabel { get; init; }
    public required Guid LlmProviderId { get; init; }
    public required string ProviderKind { get; init; }
    public required string Model { get; init; }
    public string Instructions { get; init; } = "";
    public double Temperature { get; init; } = 0.7;
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public JsonElement? InputSchema { get; init; }
    public JsonElement? OutputSchema { get; init; }
    public IReadOnlyList<string> Operations { get; init; } = [];
    public RunLimits Limits { get; init; } = new();
    public ConversationMode Conversation { get; init; } = ConversationMode.Single;
    public TimeSpan ConversationIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>What a message sent while a run of this version works does (SPEC section 12).</summary>
    public MidRunMessages MidRunMessages { get; init; } = MidRunMessages.Enqueue;
    public IReadOnlyList<ScriptTurn> Script { get; init; } = [];
    public IReadOnlyList<Guards.GuardRule> GuardRules { get; init; } = [];

    /// <summary>Multi-agent wiring (SPEC section 9): the agents this version may dispatch, and how.</summary>
    public bool CanExecuteSubAgents { get; init; }

    public IReadOnlyList<Guid> AllowedSubAgents { get; init; } = [];
    public SubAgentExecutionModel SubAgentExecutionModel { get; init; } = SubAgentExecutionModel.Sequential;
}

/// <summary>Wire shape of <c>startContext</c>: the frozen version plus the user input.</summary>
public sealed record StartContext(VersionSnapshot Version, JsonElement? UserInput)
{
    /// <summary>The W3C <c>traceparent</c> of the span that started the session (an API request carrying one, or
    /// the server's own span), so each segment of its runs, also after a restart, joins that trace; null when no
    /// tracing was on.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The plan's max active session time when the session started, in seconds: frozen with the version
    /// so the session's durable deadline (<see cref="Limits.SessionDeadline"/>) is a pure function of its
    /// events.</summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public int? MaxActiveSessionSec { get; init; }
}
