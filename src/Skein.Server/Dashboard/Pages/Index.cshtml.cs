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

        // The live feed starts where this page's data was read, so nothing committed in between is missed.
        var head = await feed.HeadAsync(cancellationToken);
        var tenant = await queries.DefaultTenantAsync(cancellationToken);
        Agents = await agents.NamesAsync(cancellationToken);
        Sessions = await list.ReadAsync(
            new ListQuery(tenant, PageSize)
            {
                Status = Status,
                AgentId = AgentId,
                After = ListCursor.Parse(After),
                Before = ListCursor.Parse(Before),
            },
            cancellationToken
        );
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await SessionRowView.WithFailuresAsync(
            [.. Sessions.Rows.Select(r => SessionRowView.From(r, Agents))],
            failures,
            cancellationToken
        );
        Table = new SessionTableModel(rows, now, head)
        {
            StatusFilter = Status,
            AgentFilter = AgentId,
            AcceptsNewRows = !Sessions.HasNewer,
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
        var query = new List<string>();
        if (Status is not null)
        {
            query.Add("status=" + Uri.EscapeDataString(Status));
        }

        if (AgentId is { } agent)
        {
            query.Add("agentId=" + agent);
        }

        if (after is not null)
        {
            query.Add("after=" + after);
        }

        if (before is not null)
        {
            query.Add("before=" + before);
        }

        return query.Count == 0 ? "/" : "/?" + string.Join('&', query);
    }
}
