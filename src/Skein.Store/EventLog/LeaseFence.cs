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
