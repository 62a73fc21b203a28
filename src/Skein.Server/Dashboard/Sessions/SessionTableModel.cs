namespace Skein.Server.Dashboard.Sessions;

/// <summary>A live sessions table: its rows, the feed position it was read at, and which new rows it accepts.</summary>
public sealed record SessionTableModel(IReadOnlyList<SessionRowView> Rows, DateTime Now, long FeedPosition)
{
    public string? StatusFilter { get; init; }
    public Guid? AgentFilter { get; init; }

    /// <summary>Only the newest page takes in new sessions; older pages update their rows in place.</summary>
    public bool AcceptsNewRows { get; init; } = true;

    public bool ShowAgent { get; init; } = true;

    /// <summary>The list's filters as the live feed's query (<see cref="SessionFilters.LiveQuery"/>).</summary>
    public string LiveFilter { get; init; } = "";

    /// <summary>Set when the list is filtered: the empty state says "No sessions match" and links here.</summary>
    public string? ClearFiltersLink { get; init; }

    /// <summary>The list's filter as the bulk endpoint takes it, for "all matching the filter"; null offers only the
    /// selected rows.</summary>
    public string? BulkFilterJson { get; init; }
}
