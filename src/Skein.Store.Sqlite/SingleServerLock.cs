using Microsoft.Extensions.Hosting;

namespace Skein.Store.Sqlite;

/// <summary>
/// The SQLite store belongs to one server. A second one on the same database would take every Running run for an
/// orphan at its start (there are no leases on SQLite) and drive it a second time, tools included, and its timers and
/// schedules would fire twice. The first server holds an exclusive lock on a file next to the database for as long as
/// it runs; a second one fails at start, before any later service (migrations, the run supervisor) touches the store.
/// The operating system releases the lock when the process ends, however it ends.
/// </summary>
public sealed class SingleServerLock(string databasePath) : IHostedService, IDisposable
{
    private FileStream? _held;

    public string LockPath { get; } = databasePath + ".server.lock";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(LockPath))!);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix: it holds against other processes.
            _held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidOperationException(
                $"another Skein server uses the database {databasePath} (it holds {LockPath}): one SQLite store has "
                    + "one server; stop the other one, or give this one its own data folder (SKEIN_DATA_DIR), or use "
                    + "PostgreSQL for several nodes"
            );
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Released when the host's services are disposed, after every other service has stopped.</summary>
    public void Dispose() => _held?.Dispose();
}
