using System.Text.Json;
using Skein.Application.Versions;
using Skein.Core;

namespace Skein.Server.Api.Contracts;

/// <summary>An agent version as the management API and the dashboard show it (SPEC section 1 field names).</summary>
public sealed record AgentVersionDto
{
    public required Guid Id { get; init; }
    public required Guid AgentId { get; init; }
    public required string Label { get; init; }
    public required string Description { get; init; }
    public required string State { get; init; }
    public required string Model { get; init; }
    public required string Instructions { get; init; }
    public required double Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public JsonElement? InputSchema { get; init; }
    public JsonElement? OutputSchema { get; init; }
    public required JsonElement Operations { get; init; }
    public required JsonElement Limits { get; init; }
    public required string Conversation { get; init; }
    public required int ConversationIdleTimeoutSec { get; init; }

    /// <summary>What a message sent while a run works does: <c>enqueue</c> | <c>interrupt</c> | <c>reject</c>
    /// (SPEC section 12).</summary>
    public required string MidRunMessages { get; init; }
    public required JsonElement GuardRules { get; init; }
    public required JsonElement Script { get; init; }

    /// <summary>Multi-agent wiring (SPEC section 9): the switch, the allowed sub-agents' ids and the
    /// execution model (<c>Sequential</c> | <c>Parallel</c>).</summary>
    public required bool CanExecuteSubAgents { get; init; }

    public required IReadOnlyList<Guid> AllowedSubAgents { get; init; }
    public required string SubAgentExecutionModel { get; init; }
    public required DateTime CreatedAt { get; init; }
    public DateTime? DeployedAt { get; init; }

    public static AgentVersionDto From(VersionView v) =>
        new()
        {
            Id = v.Id,
            AgentId = v.AgentId,
            Label = v.Label,
            Description = v.Description,
            State = v.State,
            Model = v.Model,
            Instructions = v.Instructions,
            Temperature = v.Temperature,
            TopP = v.TopP,
            TopK = v.TopK,
            InputSchema = v.InputSchema is null ? null : SkeinJson.Parse(v.InputSchema),
            OutputSchema = v.OutputSchema is null ? null : SkeinJson.Parse(v.OutputSchema),
            Operations = SkeinJson.Parse(v.Operations),
            Limits = SkeinJson.Parse(v.Limits),
            Conversation = v.Conversation,
            ConversationIdleTimeoutSec = v.ConversationIdleTimeoutSec,
            MidRunMessages = v.MidRunMessages,
            GuardRules = SkeinJson.Parse(v.GuardRules),
            Script = SkeinJson.Parse(v.Script),
            CanExecuteSubAgents = v.CanExecuteSubAgents,
            AllowedSubAgents = JsonSerializer.Deserialize<List<Guid>>(v.AllowedSubAgents, SkeinJson.Options) ?? [],
            SubAgentExecutionModel = v.SubAgentExecutionModel,
            CreatedAt = v.CreatedAt,
            DeployedAt = v.DeployedAt,
        };
}
