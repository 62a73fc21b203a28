using Skein.Store.EventLog;
using static Skein.Store.EventLog.RowColumn<Skein.Store.EventLog.RunOf>;

namespace Skein.Store.Rows;

/// <summary>Projection of one run; <see cref="WakeAt"/> is the persisted timer of a waiting run.</summary>
public sealed class RunRow
{
    /// <summary>The <c>runs</c> columns and how each is read from the folded run (see
    /// <see cref="SessionRow.Map"/>).</summary>
    public static readonly RowMap<RunOf> Map = new(
        "runs",
        Fixed("id", x => x.Run.Id),
        Fixed("session_id", x => x.Session.Id),
        Fixed("tenant_id", x => x.Session.TenantId),
        Fixed("agent_id", x => x.Run.AgentId),
        Fixed("agent_version_id", x => x.Run.AgentVersionId),
        Fixed("parent_run_id", x => x.Run.ParentRunId),
        Fixed("depth", x => x.Run.Depth),
        Changing("status", x => x.Run.Status.ToString()),
        Changing("total_tokens_used", x => x.Run.TotalTokensUsed),
        Changing("total_cost_usd", x => x.Run.TotalCostUsd),
        Changing("output", x => ColumnValue.Json(x.Run.Output)),
        Changing("error", x => x.Run.Error),
        Fixed("input", x => ColumnValue.Json(x.Run.Input)),
        Fixed("started_at", x => x.Run.StartedAt),
        Changing("finished_at", x => x.Run.FinishedAt),
        Fixed("agent_name", x => x.Run.AgentName),
        Fixed("version_label", x => x.Run.VersionLabel),
        Fixed("llm_model", x => x.Run.LlmModel),
        Changing("wake_at", x => x.Run.WakeAt),
        Changing("completed_by", x => x.Run.CompletedBy),
        Changing("completion_note", x => x.Run.CompletionNote)
    );

    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }
    public Guid? ParentRunId { get; set; }
    public int Depth { get; set; }
    public required string Status { get; set; }
    public long TotalTokensUsed { get; set; }
    public decimal TotalCostUsd { get; set; }
    public string? Output { get; set; }
    public string? Error { get; set; }
    public string? Input { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public required string AgentName { get; set; }
    public required string VersionLabel { get; set; }
    public required string LlmModel { get; set; }
    public DateTime? WakeAt { get; set; }
    public string? CompletedBy { get; set; }
    public string? CompletionNote { get; set; }
}
