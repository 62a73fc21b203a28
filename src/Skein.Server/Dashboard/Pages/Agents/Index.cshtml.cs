using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.Agents;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>Agents: name, mode, live (Deployed) version, created.</summary>
public sealed class IndexModel(AgentService agents) : PageModel
{
    public IReadOnlyList<AgentSummary> Agents { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Agents = await agents.ListAsync(cancellationToken);
}
