using Microsoft.AspNetCore.Mvc;
using Skein.Application.Workspaces;
using Skein.Server.Dashboard.Auth;
using Skein.Store.Rows;

namespace Skein.Server.Dashboard.Pages.Settings;

/// <summary>The retention and plan limits card, through <see cref="WorkspaceSettingsService"/>.</summary>
public sealed partial class IndexModel
{
    public WorkspaceRow Workspace { get; private set; } = null!;

    public async Task<IActionResult> OnPostWorkspaceAsync(
        int retentionDays,
        int maxActiveSessionSeconds,
        int agentWaitBudgetSeconds,
        int? maxSubAgentDepth,
        int? maxInputBytes,
        int? maxToolCallsPerRun,
        CancellationToken cancellationToken
    )
    {
        var saved = await workspace.UpdateAsync(
            retentionDays,
            maxActiveSessionSeconds,
            agentWaitBudgetSeconds,
            DashboardAuth.Actor(User),
            cancellationToken,
            maxSubAgentDepth,
            maxInputBytes,
            maxToolCallsPerRun ?? 0
        );
        if (saved.IsSuccess)
        {
            TempData["Notice"] = "Retention and plan limits saved.";
            return Redirect("/settings");
        }

        // One problem per line, each named by its field.
        Problems = saved.Error.Message.Split('\n');
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadWorkspaceAsync(CancellationToken cancellationToken) =>
        Workspace = await workspace.GetAsync(cancellationToken);
}
