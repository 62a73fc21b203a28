using Microsoft.EntityFrameworkCore;
using Skein.Store;

namespace Skein.Server.Api.Admin;

/// <summary>The workspace the management API acts on: the default (first) one.</summary>
public static class AdminTenant
{
    public static async Task<Guid> IdAsync(SkeinDbContext db, CancellationToken cancellationToken) =>
        await db.Workspaces.OrderBy(w => w.CreatedAt).Select(w => w.Id).FirstAsync(cancellationToken);

    public static async Task<Guid> IdAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await IdAsync(db, cancellationToken);
    }
}
