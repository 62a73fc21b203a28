using System.Text.Json;
using Skein.Core;
using Skein.Store.EventLog;
using static Skein.Store.EventLog.RowColumn<Skein.Store.EventLog.TaskOf>;

namespace Skein.Store.Rows;

/// <summary>Projection of a user task, for the approvals list, answering by id, and timeouts.</summary>
public sealed class UserTaskRow
{
    /// <summary>The <c>user_tasks</c> columns and how each is read from a folded task (see
    /// <see cref="SessionRow.Map"/>).</summary>
    public static readonly RowMap<TaskOf> Map = new(
        "user_tasks",
        Fixed("id", x => x.Task.Id),
        Fixed("session_id", x => x.Session.Id),
        Fixed("run_id", x => x.Task.RunId),
        Fixed("tenant_id", x => x.Session.TenantId),
        Fixed("agent_id", x => x.Session.Runs[x.Task.RunId].AgentId),
        Fixed("kind", x => x.Task.Kind),
        Changing("status", x => x.Task.Status.ToString()),
        Fixed("summary", x => x.Task.Summary),
        Fixed("context", x => x.Task.Context.GetRawText()),
        Fixed("tool_call_id", x => x.Task.ToolCallId),
        Fixed("created_at", x => x.Task.CreatedAt),
        Fixed("timeout_at", x => x.Task.TimeoutAt),
        Changing("outcome", x => x.Task.Outcome is { } o ? JsonSerializer.Serialize(o, SkeinJson.Options) : null),
        Changing("answered_by", x => x.Task.Outcome?.By),
        Changing("answered_at", x => x.Task.Outcome?.At),
        Changing("cancel_reason", x => x.Task.CancelReason)
    );

    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid RunId { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public required string Summary { get; set; }
    public required string Context { get; set; }
    public string? ToolCallId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? TimeoutAt { get; set; }

    /// <summary>JSON of the outcome: decision or value, who, when.</summary>
    public string? Outcome { get; set; }

    public string? AnsweredBy { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public string? CancelReason { get; set; }
}
