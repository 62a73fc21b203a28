using System.Text.Json;
using System.Text.Json.Serialization;
using Skein.Store.Rows;

namespace Skein.Server.Api.Contracts;

/// <summary>A session with the exact wire names of SPEC section 1.</summary>
public sealed record SessionDto(
    Guid Id,
    Guid TenantId,
    Guid AgentId,
    Guid AgentVersionId,
    string LlmModel,
    string TriggerType,
    string TriggeredBy,
    Guid? TriggerId,
    string? TriggerName,
    string Status,
    long TotalTokensUsed,
    JsonElement? Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    JsonElement? Input,
    System.Text.Json.Nodes.JsonObject? StartContext,
    Guid RootRunId,
    Guid EntryRunId,
    int RunCount,
    DateTime StartedAt,
    DateTime? FinishedAt,
    IReadOnlyDictionary<string, string>? Tags,
    ForkOriginDto? ForkedFrom
)
{
    public static SessionDto From(SessionRow s) =>
        new(
            s.Id,
            s.TenantId,
            s.AgentId,
            s.AgentVersionId,
            s.LlmModel,
            s.TriggerType,
            s.TriggeredBy,
            s.TriggerId,
            s.TriggerName,
            s.Status,
            s.TotalTokensUsed,
            Json.Parse(s.Output),
            s.Error,
            Json.Parse(s.Input),
            StartContextWire.From(s.StartContext),
            s.RootRunId,
            s.EntryRunId,
            s.RunCount,
            s.StartedAt,
            s.FinishedAt,
            Core.Sessions.SessionTags.Parse(s.Tags),
            s.ForkedFromSessionId is { } source ? new ForkOriginDto(source, s.ForkedFromSequence ?? 0) : null
        )
        {
            TotalCostUsd = s.TotalCostUsd,
        };

    /// <summary>The session's cost in US dollars: the sum of its model steps' <c>cost_usd</c> (SPEC section
    /// 12).</summary>
    public decimal TotalCostUsd { get; init; }

    /// <summary>The session as an API-key caller sees it, nulling what <see
    /// cref="Core.Redaction.OutputOnlyRedaction.HidesWork"/> hides when <paramref name="hidesWork"/>.</summary>
    public SessionDto ForApiCaller(bool hidesWork) =>
        hidesWork ? this with { Input = null, StartContext = null } : this;
}

/// <summary>A fork's source: the session and the session sequence (a step's <c>eventSequence</c>) it copied up
/// to.</summary>
public sealed record ForkOriginDto(Guid SessionId, long Sequence);

public sealed record RunDto(
    Guid Id,
    Guid SessionId,
    Guid AgentId,
    Guid AgentVersionId,
    Guid? ParentRunId,
    int Depth,
    string Status,
    long TotalTokensUsed,
    JsonElement? Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    JsonElement? Input,
    DateTime StartedAt,
    DateTime? FinishedAt,
    string AgentName,
    string VersionLabel,
    string LlmModel,
    string? CompletedBy,
    string? CompletionNote
)
{
    public static RunDto From(RunRow r) =>
        new(
            r.Id,
            r.SessionId,
            r.AgentId,
            r.AgentVersionId,
            r.ParentRunId,
            r.Depth,
            r.Status,
            r.TotalTokensUsed,
            Json.Parse(r.Output),
            r.Error,
            Json.Parse(r.Input),
            r.StartedAt,
            r.FinishedAt,
            r.AgentName,
            r.VersionLabel,
            r.LlmModel,
            r.CompletedBy,
            r.CompletionNote
        )
        {
            TotalCostUsd = r.TotalCostUsd,
        };

    /// <summary>The run's cost in US dollars (SPEC section 12).</summary>
    public decimal TotalCostUsd { get; init; }
}

public sealed record StepDto(
    Guid Id,
    Guid RunId,
    int Sequence,
    long EventSequence,
    string Type,
    JsonElement Content,
    long TokensUsed,
    string? Error,
    DateTime StartedAt,
    DateTime FinishedAt
)
{
    public static StepDto From(StepRow s) =>
        new(
            s.Id,
            s.RunId,
            s.Sequence,
            s.EventSequence,
            s.Type,
            Json.Parse(s.Content) ?? default,
            s.TokensUsed,
            s.Error,
            s.StartedAt,
            s.FinishedAt
        );
}

public sealed record SessionDetailDto(
    SessionDto Session,
    IReadOnlyList<RunDto> Runs,
    IReadOnlyList<StepDto> Steps,
    IReadOnlyList<UserTaskDto> Tasks
);

internal static class Json
{
    public static JsonElement? Parse(string? text) => text is null ? null : Core.SkeinJson.Parse(text);
}
