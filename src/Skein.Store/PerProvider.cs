using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace Skein.Store;

/// <summary>
/// A compiled query per store provider. EF binds a compiled query to the model it first ran with, and SQLite and
/// PostgreSQL build different models, so one process that uses both (tests, benchmarks) needs one of each.
/// </summary>
internal sealed class PerProvider<T>(Func<T> compile)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _byProvider = new();

    public T For(DbContext db) => _byProvider.GetOrAdd(db.Database.ProviderName ?? string.Empty, _ => compile());
}
