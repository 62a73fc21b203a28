using System.Data.Common;
using Npgsql;

namespace Skein.Store.Postgres;

public sealed class PostgresDialect : IStoreDialect
{
    public string Name => "postgres";

    public Task PrepareWriterConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AfterMigrateAsync(SkeinDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
