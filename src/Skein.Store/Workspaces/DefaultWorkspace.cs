using Microsoft.EntityFrameworkCore;

namespace Skein.Store.Workspaces;

/// <summary>
/// The workspace the management API, the dashboard and manifests act on: the first one created. The one place
/// that decides which workspace that is.
/// </summary>
public static class DefaultWorkspace
{
    /// <summary>The default workspace's id, or null before the first start has created one.</summary>
    public static Task<Guid?> FindIdAsync(SkeinDbContext db, CancellationToken cancellationToken) =>
        db
            .Workspaces.AsNoTracking()
            .OrderBy(w => w.CreatedAt)
            .Select(w => (Guid?)w.Id)
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The default workspace's id; the server seeds one at start, so its absence is a broken store.</summary>
    public static async Task<Guid> IdAsync(SkeinDbContext db, CancellationToken cancellationToken) =>
        await FindIdAsync(db, cancellationToken)
        ?? throw new InvalidOperationException("the store has no workspace; the server seeds one at start");

    public static async Task<Guid> IdAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await IdAsync(db, cancellationToken);
    }
}
