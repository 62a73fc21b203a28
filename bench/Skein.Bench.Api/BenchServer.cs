using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Skein.Store;
using Skein.Store.Sqlite;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>
/// The real server as a child process (<c>dotnet Skein.Server.dll</c>, the Release build) on 127.0.0.1 with a
/// fresh SQLite data folder: the same Program.cs, configuration and server GC as production, and the load
/// driver's allocations and GC pauses stay in this process.
/// </summary>
public sealed class BenchServer : IDisposable
{
    public const string AdminToken = "bench-admin-token";

    private readonly ServerProcess _process;
    private readonly TempDirectory _data;

    private BenchServer(ServerProcess process, TempDirectory data)
    {
        _process = process;
        _data = data;
        var options = new DbContextOptionsBuilder<SkeinDbContext>();
        SqliteStoreExtensions.Configure(options, SqliteStoreExtensions.ConnectionString(data.File("skein.db")));
        Contexts = new PooledDbContextFactory<SkeinDbContext>(options.Options);
    }

    /// <summary>The server's SQLite file, for bulk seeding with raw SQL.</summary>
    public string DatabaseFile => _data.File("skein.db");

    public Uri BaseAddress => _process.BaseAddress;

    /// <summary>Direct access to the server's SQLite file, for inserting scripted agents before a run.</summary>
    public IDbContextFactory<SkeinDbContext> Contexts { get; }

    /// <summary>CPU time the server process has used so far (user + system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var process = Process.GetProcessById(_process.ProcessId);
            return process.TotalProcessorTime;
        }
    }

    /// <summary>The management API with the admin token.</summary>
    public HttpClient Admin => _process.Client;

    public static async Task<BenchServer> StartAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var data = new TempDirectory("skein-bench-api");
        var process = await ServerProcess.StartAsync(data.Path, AdminToken, cancellationToken, environment: environment);
        Console.WriteLine($"server: pid {process.ProcessId} on {process.BaseAddress}");
        return new BenchServer(process, data);
    }

    /// <summary>An HTTP/1.1 client with its own connection pool; each streaming response holds one connection.</summary>
    public HttpClient CreateClient(int maxConnections, string apiKey)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = _process.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    public void Dispose()
    {
        _process.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
