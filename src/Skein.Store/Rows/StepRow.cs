using Skein.Core.Steps;
using Skein.Store.EventLog;
using static Skein.Store.EventLog.RowColumn<Skein.Store.EventLog.StepOf>;

namespace Skein.Store.Rows;

/// <summary>
/// Projection of one timeline step. <see cref="Content"/> is stored as the payload alone; readers get the full wire
/// content, with its envelope, from <see cref="Sessions.SessionQueries"/>.
/// </summary>
public sealed class StepRow
{
    /// <summary>The <c>steps</c> columns and how each is read from a folded step (see
    /// <see cref="SessionRow.Map"/>); a step is never changed once written.</summary>
    public static readonly RowMap<StepOf> Map = new(
        "steps",
        Fixed("id", x => x.Step.Id),
        Fixed("run_id", x => x.Step.RunId),
        Fixed("session_id", x => x.Session.Id),
        Fixed("tenant_id", x => x.Session.TenantId),
        Fixed("sequence", x => x.Step.Sequence),
        Fixed("event_sequence", x => x.EventSequence),
        Fixed("type", x => x.Step.Type),
        Fixed("content", x => StepContent.PayloadJson(x.Step.Payload)),
        Fixed("tokens_used", x => x.Step.TokensUsed),
        Fixed("error", x => x.Step.Error),
        Fixed("started_at", x => x.Step.StartedAt),
        Fixed("finished_at", x => x.Step.FinishedAt)
    );

    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid SessionId { get; set; }
    public Guid TenantId { get; set; }
    public int Sequence { get; set; }

    /// <summary>The session event sequence that recorded the step: a global order within the session.</summary>
    public long EventSequence { get; set; }

    public required string Type { get; set; }
    public required string Content { get; set; }
    public long TokensUsed { get; set; }
    public string? Error { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime FinishedAt { get; set; }
}
