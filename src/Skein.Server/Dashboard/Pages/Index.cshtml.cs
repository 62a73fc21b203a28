using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core;
using Skein.Core.Sessions;
using Skein.Server.Dashboard.Sessions;
using Skein.Store.Agents;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages;

/// <summary>Home: recent sessions across agents, filtered by status and agent, keyset-paged, live.</summary>
public sealed class IndexModel(
    SessionListPage list,
    SessionChangeFeed feed,
    SessionQueries queries,
    AgentDirectory agents,
    TimeProvider time,
    ToolFailureCounts failures
) : PageModel
{
    public const int PageSize = 25;

    public static readonly IReadOnlyList<string> Statuses = Enum.GetNames<SessionStatus>();

    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "agentId")]
    public Guid? AgentId { get; set; }

    [FromQuery(Name = "after")]
    public string? After { get; set; }

    [FromQuery(Name = "before")]
    public string? Before { get; set; }

    public IReadOnlyDictionary<Guid, string> Agents { get; private set; } = new Dictionary<Guid, string>();

    public ListResult Sessions { get; private set; } = new([], false, false);

    /// <summary>The search and filters of the URL (SPEC section 10).</summary>
    public SessionFilters Filters { get; private set; } = new();

    /// <summary>Why the filters could not be used, shown above an empty list.</summary>
    public string? FilterError { get; private set; }

    public SessionTableModel Table { get; private set; } = null!;

    public string? OlderCursor => Sessions.Rows.Count > 0 ? ListCursor.Of(Sessions.Rows[^1]).ToString() : null;

    public string? NewerCursor => Sessions.Rows.Count > 0 ? ListCursor.Of(Sessions.Rows[0]).ToString() : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (Status is { Length: 0 })
        {
            Status = null;
        }

        if (Status is not null && !Statuses.Contains(Status))
        {
            var problem = Problems.Details(DomainErrorCodes.InvalidInput, $"unknown status '{Status}'");
            return new ObjectResult(problem) { StatusCode = problem.Status };
        }

        Filters = SessionFilters.Read(Request.Query);
        var criteria = Filters.Criteria();
        FilterError = criteria.IsSuccess ? null : criteria.Error.Message;

        // The live feed starts where this page's data was read, so nothing committed in between is missed.
        var head = await feed.HeadAsync(cancellationToken);
        var tenant = await queries.DefaultTenantAsync(cancellationToken);
        Agents = await agents.NamesAsync(cancellationToken);
        Sessions = FilterError is not null
            ? new ListResult([], false, false)
            : await list.ReadAsync(
                new ListQuery(tenant, PageSize)
                {
                    Status = Status,
                    AgentId = AgentId,
                    After = ListCursor.Parse(After),
                    Before = ListCursor.Parse(Before),
                    Criteria = criteria.Value,
                },
                cancellationToken
            );
        var now = time.GetUtcNow().UtcDateTime;
        var waiting = await queries.ChildrenWaitingOnPersonAsync(Sessions.Rows, cancellationToken);
        var rows = await SessionRowView.WithFailuresAsync(
            [.. Sessions.Rows.Select(r => SessionRowView.From(r, Agents, waiting))],
            failures,
            cancellationToken
        );
        Table = new SessionTableModel(rows, now, head)
        {
            StatusFilter = Status,
            AgentFilter = AgentId,
            AcceptsNewRows = !Sessions.HasNewer && FilterError is null,
            LiveFilter = FilterError is null ? Filters.LiveQuery() : "",
            ClearFiltersLink = Filters.IsActive ? "/" : null,
            BulkFilterJson = Filters.BulkJson(),
        };
        Response.Headers.Append(
            "Server-Timing",
            "data;dur="
                + clock.Elapsed.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)
        );
        return Page();
    }

    public string PageLink(string? after, string? before)
    {
        var query = Filters.QueryString(("after", after), ("before", before));
        return query.Length == 0 ? "/" : "/?" + query;
    }
}
