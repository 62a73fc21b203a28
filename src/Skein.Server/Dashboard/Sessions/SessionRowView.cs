using Skein.Core.Sessions;
using Skein.Store.Rows;
using Skein.Store.Sessions;

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
    /// <summary>A sub-agent run of the session waits on a person (<see
    /// cref="Store.Sessions.SessionQueries.ChildrenWaitingOnPersonAsync"/>).</summary>
    public bool ChildWaitsOnPerson { get; init; }

    public static SessionRowView From(
        SessionRow s,
        IReadOnlyDictionary<Guid, string> agentNames,
        IReadOnlySet<Guid>? childrenWaitingOnPerson = null
    ) =>
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
            ChildWaitsOnPerson = childrenWaitingOnPerson?.Contains(s.Id) == true,
            CostUsd = s.TotalCostUsd,
        };

    /// <summary>The session's cost in US dollars, shown next to its tokens.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Asks Core: Mark complete is offered only where the session status machine allows it.</summary>
    public bool CanMarkComplete =>
        Enum.TryParse<SessionStatus>(Status, out var s) && SessionStatusMachine.AllowsMarkComplete(s);

    public bool CanTerminate => Enum.TryParse<SessionStatus>(Status, out var s) && !SessionStatusMachine.IsTerminal(s);

    /// <summary>Tool calls that failed in the session (a warning badge on the row).</summary>
    public int FailedToolCalls { get; init; }

    /// <summary>The rows with their failed tool call counts (<see cref="ToolFailureCounts"/>), in one
    /// query.</summary>
    public static async Task<IReadOnlyList<SessionRowView>> WithFailuresAsync(
        IReadOnlyList<SessionRowView> rows,
        ToolFailureCounts failures,
        CancellationToken cancellationToken
    )
    {
        var counts = await failures.OfAsync([.. rows.Select(r => r.Id)], cancellationToken);
        return [.. rows.Select(r => r with { FailedToolCalls = counts.GetValueOrDefault(r.Id) })];
    }

    public string Trigger => TriggerName is { Length: > 0 } name ? $"{TriggerType} · {name}" : TriggerType;
}
