using Skein.Store.Rows;

namespace Skein.Application.Versions;

/// <summary>An agent version as read (JSON settings as stored text; the API parses them into its DTO).</summary>
public sealed record VersionView
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
    public string? InputSchema { get; init; }
    public string? OutputSchema { get; init; }
    public required string Operations { get; init; }
    public required string Limits { get; init; }
    public required string Conversation { get; init; }
    public required int ConversationIdleTimeoutSec { get; init; }
    public required string MidRunMessages { get; init; }
    public required string GuardRules { get; init; }
    public required string Script { get; init; }
    public required bool CanExecuteSubAgents { get; init; }

    /// <summary>JSON array of agent ids.</summary>
    public required string AllowedSubAgents { get; init; }

    public required string SubAgentExecutionModel { get; init; }
    public required DateTime CreatedAt { get; init; }
    public DateTime? DeployedAt { get; init; }

    public static VersionView From(AgentVersionRow v) =>
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
            InputSchema = v.InputSchema,
            OutputSchema = v.OutputSchema,
            Operations = v.Operations,
            Limits = v.Limits,
            Conversation = v.Conversation,
            ConversationIdleTimeoutSec = v.ConversationIdleTimeoutSec,
            MidRunMessages = v.MidRunMessages,
            GuardRules = v.GuardRules,
            Script = v.Script,
            CanExecuteSubAgents = v.CanExecuteSubAgents,
            AllowedSubAgents = v.AllowedSubAgents,
            SubAgentExecutionModel = v.SubAgentExecutionModel,
            CreatedAt = v.CreatedAt,
            DeployedAt = v.DeployedAt,
        };
}

/// <summary>A version's guard rules after a save.</summary>
public sealed record GuardRulesSaved(Guid AgentId, Guid VersionId, string GuardRules);
