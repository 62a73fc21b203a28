using System.Data.Common;
using Skein.Store.Leases;

namespace Skein.Store.EventLog;

/// <summary>
/// The fencing check of the append transaction, kept apart from the append statements: before a run driver's
/// rows are written, the store must still hold its lease (<see cref="IStoreDialect.FenceSql"/>), else the
/// append fails with <see cref="LeaseLostException"/> and nothing of it commits.
/// </summary>
internal sealed class LeaseFence
{
    private readonly DbCommand _command;

    public LeaseFence(DbConnection connection, string sql)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        foreach (var name in new[] { "@run_id", "@owner", "@lease_version" })
        {
            var p = _command.CreateParameter();
            p.ParameterName = name;
            _command.Parameters.Add(p);
        }
    }

    /// <summary>Checks every lease in one round trip (a <see cref="DbBatch"/> of the same query); the first lost one
    /// throws.</summary>
    public async Task CheckAllAsync(
        IReadOnlyList<RunLease> leases,
        DbTransaction transaction,
        CancellationToken cancellationToken
    )
    {
        if (leases.Count == 0)
        {
            return;
        }

        await using var batch = transaction.Connection!.CreateBatch();
        batch.Transaction = transaction;
        foreach (var lease in leases)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = _command.CommandText;
            object[] values = [lease.RunId, lease.Owner, lease.Version];
            for (var i = 0; i < values.Length; i++)
            {
                var p = command.CreateParameter();
                p.ParameterName = _command.Parameters[i].ParameterName;
                p.Value = values[i];
                command.Parameters.Add(p);
            }

            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var lease in leases)
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new LeaseLostException(lease);
            }

            while (await reader.ReadAsync(cancellationToken)) { }

            await reader.NextResultAsync(cancellationToken);
        }
    }

    public async Task CheckAsync(RunLease lease, DbTransaction transaction, CancellationToken cancellationToken)
    {
        _command.Parameters[0].Value = lease.RunId;
        _command.Parameters[1].Value = lease.Owner;
        _command.Parameters[2].Value = lease.Version;
        _command.Transaction = transaction;
        if (await _command.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw new LeaseLostException(lease);
        }
    }
}
