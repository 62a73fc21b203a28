using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Skein.Store;

/// <summary>
/// Brings the database to the latest migration before anything else starts (StartAsync blocks host start).
/// EF Core takes a migration lock, so several nodes starting at once migrate once.
/// </summary>
public sealed class DatabaseMigrator(IDbContextFactory<SkeinDbContext> contexts, IStoreDialect dialect) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        await dialect.AfterMigrateAsync(db, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
