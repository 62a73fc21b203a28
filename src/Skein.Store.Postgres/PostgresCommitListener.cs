using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Skein.Store.EventLog;
using Skein.Store.Leases;

namespace Skein.Store.Postgres;

/// <summary>
/// Live fan-out across nodes: LISTENs for the commits other nodes announce (<see
/// cref="PostgresDialect.CommitChannel"/>)
/// and wakes this node's readers of those sessions (SSE streams, dashboard), which read the events from the table.
/// After a reconnect every reader re-reads the store, since notifications sent meanwhile are gone.
/// </summary>
public sealed partial class PostgresCommitListener(
    IDbContextFactory<SkeinDbContext> contexts,
    SessionEventNotifier notifier,
    NodeIdentity node,
    ILogger<PostgresCommitListener> logger
) : BackgroundService
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string connectionString;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            // Its own connection, outside the pool: a listening connection stays open for the node's life.
            connectionString = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString())
            {
                Pooling = false,
                KeepAlive = 10,
            }.ToString();
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(connectionString, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ListenFailed(logger, ex);
                // Wall-clock on purpose: a test's fake clock must not stall the reconnect.
                await Task.Delay(Reconnect, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        connection.Notification += (_, e) => OnCommit(e.Payload);
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresDialect.CommitChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        notifier.PublishExternalToAll();
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
        }
    }

    /// <summary>Payload: "node-tag session-id sequence". This node's own commits were already published
    /// in-process.</summary>
    private void OnCommit(string payload)
    {
        var parts = payload.Split(' ');
        if (parts.Length != 3 || parts[0] == node.Tag)
        {
            return;
        }

        if (
            Guid.TryParseExact(parts[1], "N", out var sessionId)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
        )
        {
            notifier.PublishExternal(sessionId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(
            EventId = 2111,
            Level = LogLevel.Warning,
            Message = "Listening for other nodes' commits failed; reconnecting"
        )]
        public static partial void ListenFailed(ILogger logger, Exception exception);
    }
}
