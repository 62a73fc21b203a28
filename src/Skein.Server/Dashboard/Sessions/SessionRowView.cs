using Skein.Core.Sessions;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Sessions;

/// <summary>One row of a sessions table: what Home, the agent's Sessions tab and the live feed show.</summary>
public sealed record SessionRowView(
    Guid Id,
    Guid AgentId,
    string AgentName,
    string Status,
    DateTime StartedAt,
    DateTime? FinishedAt,
    long Tokens,
    string TriggerType,
    string? TriggerName
)
{
    public static SessionRowView From(SessionRow s, IReadOnlyDictionary<Guid, string> agentNames) =>
        new(
            s.Id,
            s.AgentId,
            agentNames.GetValueOrDefault(s.AgentId, "(deleted agent)"),
            s.Status,
            s.StartedAt,
            s.FinishedAt,
            s.TotalTokensUsed,
            s.TriggerType,
            s.TriggerName
        )
        {
            CostUsd = s.TotalCostUsd,
        };

    /// <summary>The session's cost in US dollars, shown next to its tokens.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Asks Core: Mark complete is offered only where the session status machine allows it.</summary>
    public bool CanMarkComplete =>
        Enum.TryParse<SessionStatus>(Status, out var s) && SessionStatusMachine.AllowsMarkComplete(s);

    public bool CanTerminate => Enum.TryParse<SessionStatus>(Status, out var s) && !SessionStatusMachine.IsTerminal(s);

    public string Trigger => TriggerName is { Length: > 0 } name ? $"{TriggerType} · {name}" : TriggerType;
}
