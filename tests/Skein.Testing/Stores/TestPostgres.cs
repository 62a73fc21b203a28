using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Skein.Store;
using Skein.Store.Postgres;

namespace Skein.Testing.Stores;

/// <summary>
/// The PostgreSQL server the tests use (<c>SKEIN_TEST_POSTGRES</c>, set by <c>scripts/test</c>, which starts a
/// throwaway cluster). Each test database is a copy of one migrated template, so a database costs a file copy
/// rather than a migration.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "SKEIN_TEST_POSTGRES";

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;

    /// <summary>The server's admin connection string; throws (the test fails, never skips) when none is
    /// configured.</summary>
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"PostgreSQL tests need a server: run ./scripts/test (it starts a throwaway PostgreSQL cluster when "
                    + $"the "
                    + $"postgresql package is installed), or set {Variable} to an admin connection string, e.g. "
                    + "\"Host=127.0.0.1;Port=5432;Username=postgres\"."
            );

    /// <summary>Creates a fresh, migrated database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var template = await TemplateAsync(cancellationToken);
        var name = "skein_t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {template}", cancellationToken);
        return For(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", cancellationToken);
    }

    private static string For(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ToString();

    private static async Task<string> TemplateAsync(CancellationToken cancellationToken)
    {
        await TemplateLock.WaitAsync(cancellationToken);
        try
        {
            if (_template is not null)
            {
                return _template;
            }

            var name = "skein_tpl_" + Guid.NewGuid().ToString("N");
            await ExecuteAsync($"CREATE DATABASE {name}", cancellationToken);
            var connectionString = new NpgsqlConnectionStringBuilder(For(name)) { Pooling = false }.ToString();
            await using (
                var services = new ServiceCollection().AddSkeinPostgresStore(connectionString).BuildServiceProvider()
            )
            {
                var contexts = services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
            }

            // A template must have no open connections while it is copied; nothing pools connections to it.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DropTemplate(name);
            _template = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static void DropTemplate(string name)
    {
        try
        {
            using var connection = new NpgsqlConnection(ServerConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
            // The throwaway cluster may already be gone; it takes its databases with it.
        }
    }

    private static async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false }.ToString()
        );
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
