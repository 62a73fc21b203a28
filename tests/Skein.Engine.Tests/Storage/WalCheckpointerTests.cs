using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Store.Sqlite;
using Skein.Testing;

namespace Skein.Engine.Tests.Storage;

/// <summary>The SQLite store's checkpoints run on their own connection, so the event-log writer never waits on a
/// checkpoint's fsync.</summary>
public sealed class WalCheckpointerTests
{
    [Fact]
    public async Task Pages_a_writer_leaves_in_the_wal_reach_the_database_file_without_the_writer_checkpointing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDirectory();
        var path = dir.File("wal.db");
        var connectionString = SqliteStoreExtensions.ConnectionString(path);

        // Started before the database is in WAL mode, as at first start (the migrator switches it): it must wait, not
        // give up.
        // Its first look creates the (empty) database file, so the switch below comes after it has seen a non-WAL
        // database.
        using var checkpointer = new WalCheckpointer(connectionString, NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(ct);
        await WaitUntilAsync(() => File.Exists(path), ct);

        await using var writer = new SqliteConnection(connectionString);
        await writer.OpenAsync(ct);
        await ExecuteAsync(
            writer,
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE blobs "
                + "(data BLOB);",
            ct
        );
        var before = new FileInfo(path).Length;
        for (var i = 0; i < 64; i++)
        {
            await ExecuteAsync(writer, "INSERT INTO blobs VALUES (randomblob(32768));", ct);
        }

        // 2 MiB went to the WAL; only a checkpoint copies it into the database file, and the writer never runs one.
        await WaitUntilAsync(() => new FileInfo(path).Length >= before + (2L << 20), ct);

        Assert.True(
            new FileInfo(path).Length >= before + (2L << 20),
            $"database file is {new FileInfo(path).Length} bytes: the WAL was not checkpointed"
        );
        await checkpointer.StopAsync(ct);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
