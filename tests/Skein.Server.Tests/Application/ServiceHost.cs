using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Store.Rows;

namespace Skein.Server.Tests.Application;

/// <summary>
/// The application services as the server composes them, on the factory's store (SQLite file or PostgreSQL
/// database; the host is started so the default workspace and its scripted provider are seeded). No HTTP: tests call
/// the services directly.
/// </summary>
public sealed class ServiceHost(SkeinApiFactory factory)
{
    public T Get<T>()
        where T : notnull
    {
        _ = factory.Server;
        return factory.Services.GetRequiredService<T>();
    }

    public IDbContextFactory<SkeinDbContext> Contexts => Get<IDbContextFactory<SkeinDbContext>>();

    public async Task<List<AuditRow>> AuditOfAsync(Guid subjectId)
    {
        await using var db = await Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db
            .AuditLog.AsNoTracking()
            .Where(a => a.SubjectId == subjectId)
            .OrderBy(a => a.Id)
            .ToListAsync(TestContext.Current.CancellationToken);
    }

    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];
}
