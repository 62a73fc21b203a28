using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
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
            .UseNpgsql(WithPreparedStatements(connectionString), o =>
                o.MigrationsAssembly(typeof(PostgresStoreExtensions).Assembly.GetName().Name)
            );

    /// <summary>
    /// Statements the store runs again and again (the event log's inserts, its lease fences, the run starts' reads)
    /// are prepared once per connection instead of parsed and planned by the server each time: without it the server
    /// spent several times the CPU of the rows themselves on parsing. A connection string that sets
    /// <c>Max Auto Prepare</c> itself keeps its value (0 turns it off).
    /// </summary>
    public static string WithPreparedStatements(string connectionString)
    {
        // A plain builder: Npgsql's own answers ContainsKey for every keyword it knows, set or not.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (
            given
                .Keys.Cast<string>()
                .Any(k =>
                    k.Replace(" ", "", StringComparison.Ordinal)
                        .Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)
                )
        )
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxAutoPrepare = 128,
            AutoPrepareMinUsages = 2,
        }.ConnectionString;
    }
}
