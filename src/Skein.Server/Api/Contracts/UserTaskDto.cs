using System.Text.Json;
using Skein.Store.Rows;

namespace Skein.Server.Api.Contracts;

/// <summary>A user task on the wire: what is asked, its status, and the outcome (who, when, what).</summary>
public sealed record UserTaskDto(
    Guid Id,
    Guid SessionId,
    Guid RunId,
    Guid AgentId,
    string Kind,
    string Status,
    string Summary,
    JsonElement Context,
    string? ToolCallId,
    DateTime CreatedAt,
    DateTime? TimeoutAt,
    JsonElement? Outcome,
    string? AnsweredBy,
    DateTime? AnsweredAt,
    string? CancelReason
)
{
    public static UserTaskDto From(UserTaskRow t) =>
        new(
            t.Id,
            t.SessionId,
            t.RunId,
            t.AgentId,
            t.Kind,
            t.Status,
            t.Summary,
            Core.SkeinJson.Parse(t.Context),
            t.ToolCallId,
            t.CreatedAt,
            t.TimeoutAt,
            t.Outcome is null ? null : Core.SkeinJson.Parse(t.Outcome),
            t.AnsweredBy,
            t.AnsweredAt,
            t.CancelReason
        );
}
