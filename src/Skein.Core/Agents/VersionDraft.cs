using System.Text.Json;
using Skein.Core.Limits;

namespace Skein.Core.Agents;

/// <summary>
/// The editable settings of a Testing version. A null field keeps the current (or copied) value, so a form or a
/// PATCH-like API call sends only what changed.
/// </summary>
public sealed record VersionDraft
{
    public string? Description { get; init; }
    public string? Model { get; init; }
    public string? Instructions { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public JsonElement? InputSchema { get; init; }
    public JsonElement? OutputSchema { get; init; }
    public IReadOnlyList<string>? Operations { get; init; }
    public RunLimits? Limits { get; init; }
    public string? Conversation { get; init; }
    public int? ConversationIdleTimeoutSec { get; init; }

    /// <summary><c>enqueue</c>, <c>interrupt</c> or <c>reject</c> (see <see cref="Agents.MidRunMessages"/>).</summary>
    public string? MidRunMessages { get; init; }
    public IReadOnlyList<ScriptTurn>? Script { get; init; }

    /// <summary>Multi-agent wiring (SPEC section 9), checked with <see cref="SubAgentRules"/> once merged.</summary>
    public bool? CanExecuteSubAgents { get; init; }

    public IReadOnlyList<Guid>? AllowedSubAgents { get; init; }
    public SubAgentExecutionModel? SubAgentExecutionModel { get; init; }

    public const int MaxDescriptionLength = 512;

    /// <summary>Every rule a draft breaks, as <c>field: problem</c> lines (empty when valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Description is { Length: > MaxDescriptionLength })
        {
            problems.Add($"description: must be at most {MaxDescriptionLength} characters");
        }

        if (Model is not null && string.IsNullOrWhiteSpace(Model))
        {
            problems.Add("model: must not be empty");
        }

        if (Temperature is < 0 or > 2)
        {
            problems.Add("temperature: must be between 0 and 2");
        }

        if (TopP is < 0 or > 1)
        {
            problems.Add("topP: must be between 0 and 1");
        }

        if (TopK is < 1)
        {
            problems.Add("topK: must be at least 1");
        }

        if (Conversation is not null and not ("single" or "multi_turn"))
        {
            problems.Add("conversation: must be single or multi_turn");
        }

        if (MidRunMessages is not null && MidRunMessagesWire.Parse(MidRunMessages) is null)
        {
            problems.Add("midRunMessages: must be enqueue, interrupt or reject");
        }

        if (ConversationIdleTimeoutSec is < 1)
        {
            problems.Add("conversationIdleTimeoutSec: must be at least 1");
        }

        if (Limits is { } l && (l.MaxIterations < 1 || l.MaxToolCalls < 0 || l.MaxTokensPerRun < 1))
        {
            problems.Add("limits: maxIterations and maxTokensPerRun must be at least 1, maxToolCalls at least 0");
        }

        AddSchemaProblem(problems, "inputSchema", InputSchema);
        AddSchemaProblem(problems, "outputSchema", OutputSchema);
        return problems;
    }

    private static void AddSchemaProblem(List<string> problems, string field, JsonElement? schema)
    {
        if (schema is { } s && s.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            problems.Add($"{field}: must be a JSON Schema object");
        }
    }
}
