using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Skein.Store.Postgres;

public static class PostgresStoreExtensions
{
    /// <summary>The multi-node store: PostgreSQL, migrations from this assembly.</summary>
    public static IServiceCollection AddSkeinPostgresStore(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton<IStoreDialect, PostgresDialect>();
        services.AddPooledDbContextFactory<SkeinDbContext>(o => Configure(o, connectionString));
        return services.AddSkeinStore();
    }

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsAssembly(typeof(PostgresStoreExtensions).Assembly.GetName().Name));
}
