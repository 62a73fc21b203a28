using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skein.Store.Leases;

namespace Skein.Store.Sqlite;

public static class SqliteStoreExtensions
{
    /// <summary>The embedded default store: one SQLite file, migrations from this assembly.</summary>
    public static IServiceCollection AddSkeinSqliteStore(this IServiceCollection services, string databasePath)
    {
        var connectionString = ConnectionString(databasePath);
        services.AddSingleton<IStoreDialect, SqliteDialect>();
        services.AddSingleton<IRunLeaseStore, SingleNodeRunLeases>();
        // Pooled: every run start and run driver reads through a short-lived context, and a fresh context
        // builds its internal services on first use, which costs more than the lookup itself.
        services.AddPooledDbContextFactory<SkeinDbContext>(o => Configure(o, connectionString));
        services.AddHostedService(sp => new WalCheckpointer(
            connectionString,
            sp.GetRequiredService<ILogger<WalCheckpointer>>()
        ));
        return services.AddSkeinStore();
    }

    public static string ConnectionString(string databasePath) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        SkeinDbContext
            .AddSkeinInterceptors(options)
            .AddInterceptors(SqliteConnectionPragmas.Instance)
            .UseSqlite(connectionString, o =>
                o.MigrationsAssembly(typeof(SqliteStoreExtensions).Assembly.GetName().Name)
            );
}
