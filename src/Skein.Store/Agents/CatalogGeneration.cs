using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>
/// Counts committed writes to what a run start resolves (agents, versions, providers, workspaces, secrets) in this
/// process, so <see cref="AgentCatalog"/> can keep resolved versions between starts and drop them on the next such
/// write. Writes made by other nodes are bounded by the cache's time to live instead.
/// </summary>
/// <remarks>
/// Nobody bumps it by hand: every <see cref="SkeinDbContext"/> carries <see cref="CatalogWrites"/>, which sees each
/// command the context sends (tracked saves, <c>ExecuteUpdate</c>/<c>ExecuteDelete</c>, raw SQL) and bumps once
/// the write is committed: a bump before the commit would let a concurrent start cache the old rows under the new
/// generation.
/// </remarks>
public static class CatalogGeneration
{
    private static long _value;

    public static long Current => Volatile.Read(ref _value);

    internal static void Bump() => Interlocked.Increment(ref _value);
}

/// <summary>
/// The interceptor behind <see cref="CatalogGeneration"/>: a command that inserts, updates or deletes rows of a
/// catalog table bumps the generation when it has committed (at once without a transaction, else when its
/// transaction commits).
/// </summary>
internal sealed partial class CatalogWrites : DbCommandInterceptor, IDbTransactionInterceptor
{
    public static readonly CatalogWrites Instance = new();

    private static readonly Type[] CatalogRows =
    [
        typeof(AgentRow),
        typeof(AgentVersionRow),
        typeof(LlmProviderRow),
        typeof(WorkspaceRow),
        typeof(SecretRow),
    ];

    // Transactions that wrote catalog rows and have yet to commit.
    private readonly ConditionalWeakTable<DbTransaction, object> _pending = [];
    private Regex? _writes;

    private CatalogWrites() { }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Saw(command, eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command,
        CommandExecutedEventData eventData,
        int result,
        CancellationToken cancellationToken = default
    )
    {
        Saw(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(
        DbCommand command,
        CommandExecutedEventData eventData,
        DbDataReader result
    )
    {
        Saw(command, eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command,
        CommandExecutedEventData eventData,
        DbDataReader result,
        CancellationToken cancellationToken = default
    )
    {
        Saw(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Saw(command, eventData);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(
        DbCommand command,
        CommandExecutedEventData eventData,
        object? result,
        CancellationToken cancellationToken = default
    )
    {
        Saw(command, eventData);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(transaction);

    public Task TransactionCommittedAsync(
        DbTransaction transaction,
        TransactionEndEventData eventData,
        CancellationToken cancellationToken = default
    )
    {
        Committed(transaction);
        return Task.CompletedTask;
    }

    private void Committed(DbTransaction transaction)
    {
        if (_pending.Remove(transaction))
        {
            CatalogGeneration.Bump();
        }
    }

    private void Saw(DbCommand command, CommandExecutedEventData eventData)
    {
        if (eventData.Context is not { } context || !Writes(context).IsMatch(command.CommandText))
        {
            return;
        }

        if (command.Transaction is { } transaction)
        {
            _pending.AddOrUpdate(transaction, this);
        }
        else
        {
            CatalogGeneration.Bump();
        }
    }

    /// <summary>INSERT INTO / UPDATE / DELETE FROM one of the catalog tables, quoted or not (names from the
    /// model).</summary>
    private Regex Writes(DbContext context)
    {
        if (_writes is { } known)
        {
            return known;
        }

        var tables = CatalogRows
            .Select(t => context.Model.FindEntityType(t)?.GetTableName())
            .OfType<string>()
            .Select(Regex.Escape);
        var pattern =
            @"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[""`\[]?(?:"
            + string.Join("|", tables)
            + @")[""`\]]?(?:\s|$|\()";
        return _writes = new Regex(
            pattern,
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled
        );
    }
}
