using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store.Leases;

namespace Skein.Store.Postgres;

public static class PostgresStoreExtensions
{
    /// <summary>The multi-node store: PostgreSQL, migrations from this assembly, run leases and cross-node commit
    /// signals.</summary>
    public static IServiceCollection AddSkeinPostgresStore(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton<IStoreDialect, PostgresDialect>();
        services.AddSingleton<IRunLeaseStore, PostgresRunLeases>();
        services.AddHostedService<PostgresCommitListener>();
        // Pooled: every run start and run driver reads through a short-lived context, and a fresh context
        // builds its internal services on first use, which costs more than the lookup itself.
        services.AddPooledDbContextFactory<SkeinDbContext>(o => Configure(o, connectionString));
        return services.AddSkeinStore();
    }

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        SkeinDbContext
            .AddSkeinInterceptors(options)
            .UseNpgsql(connectionString, o =>
                o.MigrationsAssembly(typeof(PostgresStoreExtensions).Assembly.GetName().Name)
            );
}
