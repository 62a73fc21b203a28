using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Storage;

/// <summary>Every SQLite connection of the store, not only the event-log writer's, commits without an fsync and
/// leaves checkpoints to the checkpointer: a commit that fsyncs holds the one write lock the event log waits
/// on.</summary>
public sealed class SqliteConnectionPragmasTests
{
    [Fact]
    public async Task Every_context_connection_commits_without_fsync_and_leaves_checkpoints_to_the_checkpointer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var store = await TestStore.CreateAsync(StoreKind.Sqlite, ct);
        await using var services = store.AddTo(new ServiceCollection().AddLogging()).BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

        // Twice: the second context gets the pooled connection back, whose pragmas must still hold.
        for (var i = 0; i < 2; i++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            Assert.Equal(1L, await PragmaAsync(db, "synchronous", ct)); // NORMAL (SQLite's default is FULL, 2)
            Assert.Equal(16_384L, await PragmaAsync(db, "wal_autocheckpoint", ct)); // default 1,000
        }
    }

    private static async Task<long> PragmaAsync(SkeinDbContext db, string name, CancellationToken ct)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
