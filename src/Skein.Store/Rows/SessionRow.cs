using Skein.Core.Limits;
using Skein.Core.Sessions;
using Skein.Store.EventLog;
using static Skein.Store.EventLog.RowColumn<Skein.Core.Sessions.SessionState>;

namespace Skein.Store.Rows;

/// <summary>Projection of a session's event stream; written only with the events, in the same transaction.</summary>
public sealed class SessionRow
{
    /// <summary>The <c>sessions</c> columns and how each is read from the folded session: the append writes exactly
    /// these, and the replay test checks the rows against them.</summary>
    public static readonly RowMap<SessionState> Map = new(
        "sessions",
        Fixed("id", s => s.Id),
        Fixed("tenant_id", s => s.TenantId),
        Fixed("agent_id", s => s.AgentId),
        Fixed("agent_version_id", s => s.AgentVersionId),
        Fixed("llm_model", s => s.LlmModel),
        Fixed("trigger_type", s => s.TriggerType.ToWire()),
        Fixed("triggered_by", s => s.TriggeredBy),
        Fixed("trigger_id", s => s.TriggerId),
        Fixed("trigger_name", s => s.TriggerName),
        Changing("status", s => s.Status.ToString()),
        Changing("total_tokens_used", s => s.TotalTokensUsed),
        Changing("total_cost_usd", s => s.TotalCostUsd),
        Changing("output", s => ColumnValue.Json(s.Output)),
        Changing("error", s => s.Error),
        Fixed("input", s => ColumnValue.Json(s.Input)),
        Fixed("root_run_id", s => s.RootRunId),
        Changing("entry_run_id", s => s.EntryRunId),
        Changing("run_count", s => s.RunCount),
        Fixed("started_at", s => s.StartedAt),
        Changing("finished_at", s => s.FinishedAt),
        Changing("deadline_at", s => SessionDeadline.Of(s)),
        Fixed("tags", s => SessionTags.Json(s.Tags)),
        Fixed("forked_from_session_id", s => s.ForkedFrom?.SessionId),
        Fixed("forked_from_sequence", s => s.ForkedFrom?.Sequence)
    );

    /// <summary>The frozen start context, in its own table (<c>session_start_contexts</c>): written once.</summary>
    public static readonly RowMap<SessionState> StartContextMap = new(
        "session_start_contexts",
        Fixed("session_id", s => s.Id),
        Fixed("start_context", s => StoredEvents.StartContextJson(s.StartContext))
    );

    public Guid Id { get; set; }
    public Guid TenantId { get; set; }
    public Guid AgentId { get; set; }
    public Guid AgentVersionId { get; set; }
    public required string LlmModel { get; set; }
    public required string TriggerType { get; set; }
    public required string TriggeredBy { get; set; }
    public Guid? TriggerId { get; set; }
    public string? TriggerName { get; set; }
    public required string Status { get; set; }
    public long TotalTokensUsed { get; set; }
    public decimal TotalCostUsd { get; set; }
    public string? Output { get; set; }
    public string? Error { get; set; }
    public string? Input { get; set; }
    public required string StartContext { get; set; }
    public Guid RootRunId { get; set; }
    public Guid EntryRunId { get; set; }
    public int RunCount { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>The start body's tags as canonical JSON (<see cref="SessionTags.Json"/>); searched by
    /// substring.</summary>
    public string? Tags { get; set; }

    public Guid? ForkedFromSessionId { get; set; }
    public long? ForkedFromSequence { get; set; }

    /// <summary>When the session runs out of time even if nothing runs (<see cref="SessionDeadline"/>); null once
    /// finished. The run supervisor fails sessions whose deadline passed.</summary>
    public DateTime? DeadlineAt { get; set; }
}
