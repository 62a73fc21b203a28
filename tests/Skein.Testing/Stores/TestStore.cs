using Microsoft.Extensions.DependencyInjection;
using Skein.Store.Postgres;
using Skein.Store.Sqlite;

namespace Skein.Testing.Stores;

/// <summary>
/// One throwaway database of either kind: a SQLite file in a temp folder, or a database of its own on the test
/// PostgreSQL server. Hosts started one after the other on it see the same data (a restart).
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private TestStore(StoreKind kind, string connectionString, TempDirectory dir)
    {
        Kind = kind;
        ConnectionString = connectionString;
        _dir = dir;
    }

    public StoreKind Kind { get; }

    /// <summary>The SQLite file path, or the PostgreSQL connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>Where hosts on this store keep their Data Protection keys: secrets survive a restart only with the same
    /// ring.</summary>
    public string KeyRingDirectory => _dir.File("keys");

    public static async Task<TestStore> CreateAsync(StoreKind kind, CancellationToken cancellationToken)
    {
        if (kind == StoreKind.Postgres)
        {
            return new TestStore(
                kind,
                await TestPostgres.CreateDatabaseAsync(cancellationToken),
                new TempDirectory("skein-store")
            );
        }

        var dir = new TempDirectory("skein-store");
        return new TestStore(kind, dir.File("skein.db"), dir);
    }

    public IServiceCollection AddTo(IServiceCollection services) =>
        Kind == StoreKind.Postgres
            ? services.AddSkeinPostgresStore(ConnectionString)
            : services.AddSkeinSqliteStore(ConnectionString);

    /// <summary>The server settings that select this store (SPEC section 8: <c>Skein__Store</c>,
    /// <c>ConnectionStrings__Skein</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerSettings =>
        Kind == StoreKind.Postgres
            ? new Dictionary<string, string>
            {
                ["Skein:Store"] = "postgres",
                ["ConnectionStrings:Skein"] = ConnectionString,
            }
            : new Dictionary<string, string> { ["Skein:Store"] = "sqlite" };

    public async ValueTask DisposeAsync()
    {
        if (Kind == StoreKind.Postgres)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString, CancellationToken.None);
        }

        _dir.Dispose();
    }
}
