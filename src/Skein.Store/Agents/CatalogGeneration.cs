using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Skein.Store.Rows;

namespace Skein.Store.Agents;

/// <summary>
/// Counts committed writes to what a run start resolves (agents, versions, providers, workspaces, secrets; and apart,
/// triggers) in this process, so <see cref="AgentCatalog"/> and <see cref="TriggerQueries"/> can keep what they read
/// between starts and drop it on the next such write. Writes made by other nodes are bounded by the caches' time to
/// live instead.
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
    private static long _triggers;

    public static long Current => Volatile.Read(ref _value);

    /// <summary>The same count for the <c>triggers</c> table, kept apart: event fires and schedule claims write
    /// trigger rows often, and must not drop resolved versions each time.</summary>
    public static long Triggers => Volatile.Read(ref _triggers);

    internal static void Bump(CatalogTables tables)
    {
        if ((tables & CatalogTables.Catalog) != 0)
        {
            Interlocked.Increment(ref _value);
        }

        if ((tables & CatalogTables.Triggers) != 0)
        {
            Interlocked.Increment(ref _triggers);
        }
    }
}

/// <summary>Which generations a committed write moves.</summary>
[Flags]
internal enum CatalogTables
{
    None = 0,
    Catalog = 1,
    Triggers = 2,
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

    // Transactions that wrote catalog or trigger rows and have yet to commit, with what they wrote.
    private readonly ConditionalWeakTable<DbTransaction, StrongBox<CatalogTables>> _pending = [];
    private Regex? _writes;
    private Regex? _triggerWrites;

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
        if (_pending.TryGetValue(transaction, out var wrote) && _pending.Remove(transaction))
        {
            CatalogGeneration.Bump(wrote.Value);
        }
    }

    private void Saw(DbCommand command, CommandExecutedEventData eventData)
    {
        if (eventData.Context is not { } context)
        {
            return;
        }

        var wrote =
            (Writes(context).IsMatch(command.CommandText) ? CatalogTables.Catalog : CatalogTables.None)
            | (TriggerWrites(context).IsMatch(command.CommandText) ? CatalogTables.Triggers : CatalogTables.None);
        if (wrote == CatalogTables.None)
        {
            return;
        }

        if (command.Transaction is { } transaction)
        {
            lock (_pending)
            {
                _pending.GetOrAdd(transaction, _ => new StrongBox<CatalogTables>()).Value |= wrote;
            }
        }
        else
        {
            CatalogGeneration.Bump(wrote);
        }
    }

    private Regex Writes(DbContext context) => _writes ??= WritesTo(context, CatalogRows);

    private Regex TriggerWrites(DbContext context) => _triggerWrites ??= WritesTo(context, [typeof(TriggerRow)]);

    /// <summary>INSERT INTO / UPDATE / DELETE FROM one of the tables of <paramref name="rows"/>, quoted or not (names
    /// from the model).</summary>
    private static Regex WritesTo(DbContext context, Type[] rows)
    {
        var tables = rows.Select(t => context.Model.FindEntityType(t)?.GetTableName())
            .OfType<string>()
            .Select(Regex.Escape);
        var pattern =
            @"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[""`\[]?(?:"
            + string.Join("|", tables)
            + @")[""`\]]?(?:\s|$|\()";
        return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}
