using System.Diagnostics.Metrics;
using Npgsql;

namespace Skein.Bench.Throughput;

/// <summary>
/// What a phase cost on the PostgreSQL side, measured in ways a busy machine does not blur: the round trips Npgsql
/// made (its <c>db.client.operation.duration</c> measurements: one per command or batch, commits included), the
/// bytes it sent, and the CPU time of the server backends connected to the phase's database (read from
/// <c>/proc</c>; the server runs on this machine).
/// </summary>
internal sealed class PostgresMeter
{
    private static long _operations;
    private static long _bytesWritten;
    private static readonly MeterListener Listener = Start();

    private readonly string _connectionString;
    private readonly long _operationsAtStart;
    private readonly long _bytesAtStart;
    private readonly Dictionary<int, long> _backendTicks;

    private PostgresMeter(string connectionString, Dictionary<int, long> backendTicks)
    {
        _connectionString = connectionString;
        _backendTicks = backendTicks;
        _operationsAtStart = Interlocked.Read(ref _operations);
        _bytesAtStart = Interlocked.Read(ref _bytesWritten);
    }

    public static async Task<PostgresMeter> StartAsync(string connectionString, CancellationToken cancellationToken)
    {
        GC.KeepAlive(Listener);
        return new PostgresMeter(connectionString, await BackendTicksAsync(connectionString, cancellationToken));
    }

    public async Task<PostgresCost> StopAsync(CancellationToken cancellationToken)
    {
        var operations = Interlocked.Read(ref _operations) - _operationsAtStart;
        var bytes = Interlocked.Read(ref _bytesWritten) - _bytesAtStart;
        var ticks = await BackendTicksAsync(_connectionString, cancellationToken);
        var used = ticks.Sum(t => t.Value - _backendTicks.GetValueOrDefault(t.Key));
        return new PostgresCost(operations, bytes, TimeSpan.FromSeconds(used / 100.0));
    }

    /// <summary>CPU ticks (1/100 s) of every backend connected to the connection string's database.</summary>
    private static async Task<Dictionary<int, long>> BackendTicksAsync(
        string connectionString,
        CancellationToken cancellationToken
    )
    {
        var pids = new List<int>();
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                connection
            );
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                pids.Add(reader.GetInt32(0));
            }
        }

        var ticks = new Dictionary<int, long>();
        foreach (var pid in pids)
        {
            try
            {
                // Fields after the command name: state is the 3rd, utime the 14th and stime the 15th.
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat", cancellationToken);
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks[pid] = long.Parse(fields[11]) + long.Parse(fields[12]);
            }
            catch (IOException)
            {
                // Gone, or not on this machine.
            }
        }

        return ticks;
    }

    private static MeterListener Start()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (
                    instrument.Meter.Name == "Npgsql"
                    && instrument.Name is "db.client.operation.duration" or "db.client.operation.npgsql.bytes_written"
                )
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Interlocked.Increment(ref _operations));
        listener.SetMeasurementEventCallback<long>(
            (instrument, value, _, _) => Interlocked.Add(ref _bytesWritten, value)
        );
        listener.SetMeasurementEventCallback<int>(
            (instrument, value, _, _) => Interlocked.Add(ref _bytesWritten, value)
        );
        listener.Start();
        return listener;
    }
}

/// <param name="Operations">Npgsql round trips (commands and batches).</param>
/// <param name="BytesSent">Bytes Npgsql wrote to the server.</param>
/// <param name="ServerCpu">CPU time of the database's server backends.</param>
internal sealed record PostgresCost(long Operations, long BytesSent, TimeSpan ServerCpu)
{
    public string Describe(int runs) =>
        $"server CPU {ServerCpu.TotalMilliseconds / runs:0.00} ms/run, "
        + $"round trips {Operations / (double)runs:0.00}/run, "
        + $"sent {BytesSent / 1024.0 / runs:0.0} KB/run";
}
