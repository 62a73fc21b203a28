using Microsoft.EntityFrameworkCore;
using Skein.Store;
using Skein.Store.Workspaces;

namespace Skein.Server.Api.Admin;

/// <summary>The workspace the management API acts on (see <see cref="DefaultWorkspace"/>).</summary>
public static class AdminTenant
{
    public static Task<Guid> IdAsync(SkeinDbContext db, CancellationToken cancellationToken) =>
        DefaultWorkspace.IdAsync(db, cancellationToken);

    public static Task<Guid> IdAsync(IDbContextFactory<SkeinDbContext> contexts, CancellationToken cancellationToken) =>
        DefaultWorkspace.IdAsync(contexts, cancellationToken);
}
