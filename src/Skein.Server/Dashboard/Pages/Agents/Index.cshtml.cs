using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Store;

namespace Skein.Server.Dashboard.Pages.Agents;

/// <summary>Agents: name, mode, live (Deployed) version, created.</summary>
public sealed class IndexModel(IDbContextFactory<SkeinDbContext> contexts) : PageModel
{
    public sealed record AgentItem(
        Guid Id,
        string Name,
        string ExecutionMode,
        string? VersionLabel,
        DateTime CreatedAt
    );

    public IReadOnlyList<AgentItem> Agents { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Agents = await (
            from a in db.Agents.AsNoTracking()
            join v in db.AgentVersions.AsNoTracking().Where(v => v.State == nameof(VersionState.Deployed))
                on a.Id equals v.AgentId
                into deployed
            from v in deployed.DefaultIfEmpty()
            orderby a.Name
            select new AgentItem(a.Id, a.Name, a.ExecutionMode, v == null ? null : v.Label, a.CreatedAt)
        ).ToListAsync(cancellationToken);
    }
}
