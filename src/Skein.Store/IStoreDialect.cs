using System.Data.Common;

namespace Skein.Store;

/// <summary>What differs between the stores beyond EF's provider: connection tuning and error meaning.</summary>
public interface IStoreDialect
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Tunes the event-log writer's dedicated connection after it opens.</summary>
    Task PrepareWriterConnectionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs once after migrations, for settings that live in the database file itself.</summary>
    Task AfterMigrateAsync(SkeinDbContext db, CancellationToken cancellationToken);

    bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// What the event-log append binds for an id. Converted on the appending thread so the single writer only
    /// binds; it must be exactly what the provider itself stores for the Guid.
    /// </summary>
    object IdValue(Guid id) => id;

    /// <summary>What the event-log append binds for a UTC instant (see <see cref="IdValue"/>).</summary>
    object InstantValue(DateTime utc) => utc;
}
