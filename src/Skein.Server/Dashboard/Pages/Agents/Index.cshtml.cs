using Microsoft.AspNetCore.Mvc.RazorPages;
using Skein.Application.Agents;
using Skein.Core.Users;
using Skein.Server.Dashboard.Auth;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>Agents: name, mode, live (Deployed) version, created.</summary>
[Requires(Capability.Develop)]
public sealed class IndexModel(AgentService agents) : PageModel
{
    public IReadOnlyList<AgentSummary> Agents { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Agents = await agents.ListAsync(cancellationToken);
}
