using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Core.Users;
using Skein.Core.UserTasks;
using Skein.Server.Dashboard.Auth;
using Skein.Store.Rows;
using Skein.Store.Sessions;

namespace Skein.Server.Dashboard.Pages.Review;

/// <summary>
/// Review → Approvals: user tasks across sessions, Pending or Completed (answered or cancelled), by kind.
/// Answers post to the task's session (the same handler the session view uses), so a stale answer gets the
/// same clear 409 message in both places.
/// </summary>
[Requires(Capability.Operate)]
public sealed class ApprovalsModel(SessionQueries sessions, UserTaskQueries tasks) : PageModel
{
    public const int PageSize = 50;

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
        if (Kind is not null && !UserTaskKinds.All.Contains(Kind))
        {
            return BadRequest($"unknown kind '{Kind}'");
        }

        Tab = Tab == "completed" ? "completed" : "pending";
        Skip = Math.Max(0, Skip);
        var tenant = await sessions.DefaultTenantAsync(cancellationToken);
        if (Tab == "pending")
        {
            Tasks = await tasks.ListAsync(
                tenant,
                nameof(UserTaskStatus.Pending),
                Kind,
                Skip,
                PageSize + 1,
                cancellationToken
            );
        }
        else
        {
            // Completed tab: answered and cancelled tasks, newest first.
            var answered = await tasks.ListAsync(
                tenant,
                nameof(UserTaskStatus.Completed),
                Kind,
                0,
                Skip + PageSize + 1,
                cancellationToken
            );
            var cancelled = await tasks.ListAsync(
                tenant,
                nameof(UserTaskStatus.Cancelled),
                Kind,
                0,
                Skip + PageSize + 1,
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
        return Page();
    }

    public string Link(string tab, string? kind) =>
        $"/review/approvals?tab={tab}" + (kind is null ? "" : "&kind=" + Uri.EscapeDataString(kind));
}
