using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Store.Sqlite;
using Skein.Testing;

namespace Skein.Engine.Tests.Storage;

/// <summary>Schema changes keep what a store already holds: a database from before a migration upgrades without losing
/// data.</summary>
public sealed class MigrationDataTests
{
    [Fact]
    public async Task Moving_start_contexts_to_their_own_table_keeps_every_existing_sessions_context()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var path = dir.File("old.db");
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddSkeinSqliteStore(path)
            .BuildServiceProvider();
        await using var db = await provider
            .GetRequiredService<IDbContextFactory<SkeinDbContext>>()
            .CreateDbContextAsync(ct);
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[
            migrations.FindIndex(m => m.EndsWith("_SessionStartContexts", StringComparison.Ordinal)) - 1
        ];
        await migrator.MigrateAsync(before, ct);

        await using (var connection = new SqliteConnection(SqliteStoreExtensions.ConnectionString(path)))
        {
            await connection.OpenAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, "
                + "triggered_by, status, total_tokens_used, "
                + "start_context, root_run_id, entry_run_id, run_count, started_at) VALUES "
                + "('6E0A1B2C-0000-7000-8000-000000000001', "
                + "'6E0A1B2C-0000-7000-8000-000000000002', '6E0A1B2C-0000-7000-8000-000000000003', "
                + "'6E0A1B2C-0000-7000-8000-000000000004', "
                + "'scripted', 'api', 'key', 'Completed', 42, '{\"version\":{\"agent_name\":\"kept\"}}', "
                + "'6E0A1B2C-0000-7000-8000-000000000005', "
                + "'6E0A1B2C-0000-7000-8000-000000000005', 1, '2026-01-01 00:00:00')";
            await insert.ExecuteNonQueryAsync(ct);
        }

        await migrator.MigrateAsync(cancellationToken: ct);

        var session = await db.Sessions.AsNoTracking().SingleAsync(ct);
        Assert.Equal("""{"version":{"agent_name":"kept"}}""", session.StartContext);
        Assert.Equal(42, session.TotalTokensUsed);
    }

    [Fact]
    public async Task Introducing_session_counts_counts_the_sessions_already_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var path = dir.File("old.db");
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddSkeinSqliteStore(path)
            .BuildServiceProvider();
        await using var db = await provider
            .GetRequiredService<IDbContextFactory<SkeinDbContext>>()
            .CreateDbContextAsync(ct);
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        await migrator.MigrateAsync(
            migrations[migrations.FindIndex(m => m.EndsWith("_SessionCounts", StringComparison.Ordinal)) - 1],
            ct
        );

        await using (var connection = new SqliteConnection(SqliteStoreExtensions.ConnectionString(path)))
        {
            await connection.OpenAsync(ct);
            foreach (var (id, status) in new[] { (1, "Completed"), (2, "Completed"), (3, "Failed") })
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText =
                    "INSERT INTO sessions (id, tenant_id, agent_id, agent_version_id, llm_model, trigger_type, "
                    + "triggered_by, status, total_tokens_used, "
                    + $"root_run_id, entry_run_id, run_count, started_at) VALUES "
                    + $"('6E0A1B2C-0000-7000-8000-00000000010{id}', "
                    + "'6E0A1B2C-0000-7000-8000-000000000002', '6E0A1B2C-0000-7000-8000-000000000003', "
                    + "'6E0A1B2C-0000-7000-8000-000000000004', "
                    + $"'scripted', 'api', 'key', '{status}', 1, '6E0A1B2C-0000-7000-8000-000000000005', "
                    + $"'6E0A1B2C-0000-7000-8000-000000000005', 1, '2026-01-01 00:00:00')";
                await insert.ExecuteNonQueryAsync(ct);
            }
        }

        await migrator.MigrateAsync(cancellationToken: ct);

        var counts = await db
            .SessionCounts.AsNoTracking()
            .OrderBy(c => c.Status)
            .Select(c => $"{c.Status} {c.Sessions}")
            .ToListAsync(ct);
        Assert.Equal(["Completed 2", "Failed 1"], counts);
    }
}
