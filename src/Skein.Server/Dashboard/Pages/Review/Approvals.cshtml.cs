using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core.UserTasks;
using Skein.Store.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Review;

/// <summary>
/// Review → Approvals: user tasks across sessions, Pending or Completed (answered or cancelled), by kind.
/// Answers post to the task's session (the same handler the session view uses), so a stale answer gets the
/// same clear 409 message in both places.
/// </summary>
public sealed class ApprovalsModel(SessionQueries sessions, UserTaskQueries tasks, AgentDirectory agents) : PageModel
{
    public const int PageSize = 50;

    /// <summary>The kind filter: what an operator looks for (the SPEC's kinds grouped), each a set of kinds. A
    /// single kind in the URL (<c>kind=text</c>) still filters by that kind alone.</summary>
    public static readonly IReadOnlyList<KindFilter> KindFilters =
    [
        new("approval", "Approvals", [UserTaskKinds.Approval]),
        new("aitl_escalation", "AITL escalations", [UserTaskKinds.AitlEscalation]),
        new("anomaly", "Anomaly", [UserTaskKinds.AnomalyReview, UserTaskKinds.AnomalyAlert]),
        new(
            "question",
            "Questions (choice, text, number)",
            [UserTaskKinds.MultiOption, UserTaskKinds.Text, UserTaskKinds.Number]
        ),
    ];

    /// <summary>Agent names by id, for each task's card.</summary>
    public IReadOnlyDictionary<Guid, string> AgentNames { get; private set; } = new Dictionary<Guid, string>();

    [FromQuery(Name = "tab")]
    public string Tab { get; set; } = "pending";

    [FromQuery(Name = "kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "skip")]
    public int Skip { get; set; }

    public IReadOnlyList<UserTaskRow> Tasks { get; private set; } = [];

    public bool HasMore { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Kind = string.IsNullOrEmpty(Kind) ? null : Kind;
        IReadOnlyList<string>? kinds =
            Kind is null ? null
            : KindFilters.FirstOrDefault(f => f.Value == Kind) is { } group ? group.Kinds
            : UserTaskKinds.All.Contains(Kind) ? [Kind]
            : null;
        if (Kind is not null && kinds is null)
        {
            return BadRequest($"unknown kind '{Kind}'");
        }

        Tab = Tab == "completed" ? "completed" : "pending";
        Skip = Math.Max(0, Skip);
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        if (Tab == "pending")
        {
            Tasks = await ListAsync(
                tenant,
                nameof(UserTaskStatus.Pending),
                kinds,
                Skip,
                PageSize + 1,
                cancellationToken
            );
        }
        else
        {
            // Completed tab: answered and cancelled tasks, newest first.
            var upTo = Skip + PageSize + 1;
            var answered = await ListAsync(tenant, nameof(UserTaskStatus.Completed), kinds, 0, upTo, cancellationToken);
            var cancelled = await ListAsync(
                tenant,
                nameof(UserTaskStatus.Cancelled),
                kinds,
                0,
                upTo,
                cancellationToken
            );
            Tasks =
            [
                .. answered
                    .Concat(cancelled)
                    .OrderByDescending(t => t.CreatedAt)
                    .ThenByDescending(t => t.Id)
                    .Skip(Skip)
                    .Take(PageSize + 1),
            ];
        }

        HasMore = Tasks.Count > PageSize;
        Tasks = [.. Tasks.Take(PageSize)];
        AgentNames = await agents.NamesAsync(cancellationToken);
        return Page();
    }

    /// <summary>One status of the chosen kinds (all when none), newest first.</summary>
    private Task<IReadOnlyList<UserTaskRow>> ListAsync(
        Guid tenant,
        string status,
        IReadOnlyList<string>? kinds,
        int skip,
        int take,
        CancellationToken cancellationToken
    ) =>
        kinds is null or { Count: 1 }
            ? tasks.ListAsync(tenant, status, kinds?[0], skip, take, cancellationToken)
            : tasks.ListKindsAsync(tenant, status, kinds, skip, take, cancellationToken);

    public string AgentName(Guid agentId) => AgentNames.GetValueOrDefault(agentId, "(deleted agent)");

    public string Link(string tab, string? kind) =>
        $"/review/approvals?tab={tab}" + (kind is null ? "" : "&kind=" + Uri.EscapeDataString(kind));
}

/// <summary>One choice of the Approvals kind filter: its URL value, its label and the kinds it shows.</summary>
public sealed record KindFilter(string Value, string Label, IReadOnlyList<string> Kinds);
