using Microsoft.EntityFrameworkCore;
using Skein.Store;

namespace Skein.Bench.Throughput;

/// <summary>
/// Bytes the store occupies on disk: SQLite's used pages (the file less its free list, the WAL's committed pages
/// included), PostgreSQL's tables with their indexes and TOAST. Measured before and after a phase, the difference
/// divided by the phase's runs is what one run stores, free of the fixed cost of empty tables and first pages.
/// </summary>
internal static class StoreBytes
{
    public static async Task<long> MeasureAsync(
        IDbContextFactory<SkeinDbContext> contexts,
        CancellationToken cancellationToken
    )
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true
                ? "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                : "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), "
                    + "pragma_page_size()";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }
}
