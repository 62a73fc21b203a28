using System.Text.Json;
using Skein.Core.Events;
using Skein.Core.Sessions;
using Skein.Store.EventLog;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>Everything the session view shows, read once per render from the projections and the event log.</summary>
public sealed record SessionPageData(
    SessionRow Session,
    IReadOnlyList<RunRow> Runs,
    IReadOnlyList<StepRow> Steps,
    IReadOnlyList<UserTaskRow> Tasks,
    IReadOnlyList<AuditNote> Audit,
    long StreamVersion
)
{
    public RunRow? RootRun => Runs.FirstOrDefault(r => r.Id == Session.RootRunId) ?? (Runs.Count > 0 ? Runs[0] : null);

    public SessionRowView Row =>
        new(
            Session.Id,
            Session.AgentId,
            RootRun?.AgentName ?? "",
            Session.Status,
            Session.StartedAt,
            Session.FinishedAt,
            Session.TotalTokensUsed,
            Session.TriggerType,
            Session.TriggerName
        )
        {
            CostUsd = Session.TotalCostUsd,
        };

    /// <summary>Who finished the session and when, when an operator (or anyone) did.</summary>
    public AuditNote? Ending =>
        Audit.LastOrDefault(a =>
            a.Action == EventTypes.SessionStatusChanged && a.To is { } to && SessionStatusMachine.IsTerminal(to)
        );

    public IEnumerable<RunRow> ChildrenOf(Guid? parent) =>
        Runs.Where(r => r.ParentRunId == parent).OrderBy(r => r.StartedAt);

    public UserTaskRow? Task(Guid id) => Tasks.FirstOrDefault(t => t.Id == id);

    /// <summary>Tool calls whose result was an error: a session can complete after them, so the view warns.</summary>
    public int FailedToolCalls => Steps.Count(FailedToolCall.Is);

    /// <summary>
    /// How long a step took: its own span when it has one (a model call), else the time since the step before it in
    /// its run (a tool result: the call's execution), since most steps are recorded at one instant.
    /// </summary>
    public TimeSpan StepDuration(StepRow step)
    {
        if (step.FinishedAt > step.StartedAt)
        {
            return step.FinishedAt - step.StartedAt;
        }

        var previous = Steps.Where(s => s.RunId == step.RunId && s.Sequence < step.Sequence).MaxBy(s => s.Sequence);
        var since = previous?.FinishedAt ?? Runs.FirstOrDefault(r => r.Id == step.RunId)?.StartedAt ?? step.StartedAt;
        return step.FinishedAt > since ? step.FinishedAt - since : TimeSpan.Zero;
    }

    public static async Task<SessionPageData?> LoadAsync(
        Guid sessionId,
        SessionQueries sessions,
        UserTaskQueries tasks,
        EventLogReader events,
        CancellationToken cancellationToken
    )
    {
        // The log first: the page's stream version must not pass the rows it shows, else a change committed between
        // the two reads never reaches the live view (a fast run finished while the page loaded looked stuck).
        var log = await events.ReadAfterAsync(sessionId, 0, cancellationToken);
        var detail = await sessions.GetAsync(sessionId, cancellationToken);
        if (detail is null)
        {
            return null;
        }

        var userTasks = await tasks.ForSessionAsync(sessionId, cancellationToken);
        var audit = log.Where(e => e.Event is SessionStatusChanged or UserTaskAnswered or UserTaskCancelled)
            .Select(e => new AuditNote(
                e.Sequence,
                e.Event.At,
                e.Event.Actor,
                e.Event.TypeName,
                (e.Event as SessionStatusChanged)?.To,
                (e.Event as SessionStatusChanged)?.Reason ?? (e.Event as UserTaskCancelled)?.Reason
            ))
            .ToList();
        return new SessionPageData(
            detail.Session,
            detail.Runs,
            detail.Steps,
            userTasks,
            audit,
            log.Count > 0 ? log[^1].Sequence : 0
        );
    }
}

/// <summary>One audited change: who, when, what (and the new status for status changes).</summary>
public sealed record AuditNote(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string Action,
    SessionStatus? To,
    string? Reason
);

/// <summary>Reads fields out of a step's content JSON without failing on shapes it does not know.</summary>
public static class StepJson
{
    public static JsonElement Parse(string content) => Core.SkeinJson.Parse(content);

    public static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? (
                v.ValueKind == JsonValueKind.String ? v.GetString()
                : v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? null
                : v.GetRawText()
            )
            : null;

    public static JsonElement? Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v
            : null;

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Pretty(JsonElement? e) => e is { } v ? JsonSerializer.Serialize(v, Indented) : "null";

    public static string Pretty(string? json) => json is null ? "null" : Pretty(Parse(json));
}
