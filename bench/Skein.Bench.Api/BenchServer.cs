using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Bench.Api;

/// <summary>
/// The real server as a child process (<c>dotnet Skein.Server.dll</c>, the Release build) on 127.0.0.1 with a
/// fresh store: a SQLite file in a fresh data folder, or (<c>--store postgres</c>) a fresh database on the server
/// named by <c>SKEIN_TEST_POSTGRES</c>. The same Program.cs, configuration and server GC as production, and the
/// load driver's allocations and GC pauses stay in this process.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    public const string AdminToken = "bench-admin-token";

    private readonly ServerProcess _process;
    private readonly TempDirectory _data;
    private readonly TestStore _store;
    private readonly ServiceProvider _services;

    private BenchServer(ServerProcess process, TempDirectory data, TestStore store)
    {
        _process = process;
        _data = data;
        _store = store;
        _services = store.AddTo(new ServiceCollection()).BuildServiceProvider();
        Contexts = _services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
    }

    /// <summary>The server's SQLite file, for bulk seeding with raw SQL (SQLite store only).</summary>
    public string DatabaseFile =>
        _store.Kind == StoreKind.Sqlite
            ? _store.ConnectionString
            : throw new InvalidOperationException("the server runs on PostgreSQL");

    public Uri BaseAddress => _process.BaseAddress;

    /// <summary>Direct access to the server's store, for inserting scripted agents (and seed rows) before a
    /// run.</summary>
    public IDbContextFactory<SkeinDbContext> Contexts { get; }

    public StoreKind Store => _store.Kind;

    public int ProcessId => _process.ProcessId;

    /// <summary>The server process's resident set size (VmRSS), in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.ProcessId}/status")
                .First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }

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

    public static async Task<BenchServer> StartAsync(
        StoreKind kind,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var data = new TempDirectory("skein-bench-api");
        var store = await TestStore.CreateAsync(kind, cancellationToken);
        var settings = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (kind == StoreKind.Postgres)
        {
            settings["Skein__Store"] = "postgres";
            settings["ConnectionStrings__Skein"] = store.ConnectionString;
        }

        var dataDirectory =
            kind == StoreKind.Postgres ? data.Path : Path.GetDirectoryName(store.ConnectionString) ?? data.Path;
        var process = await ServerProcess.StartAsync(
            dataDirectory,
            AdminToken,
            cancellationToken,
            // A busy machine (CI, parallel builds) can take well over the tests' default to start a server.
            startupTimeout: TimeSpan.FromMinutes(3),
            environment: settings
        );
        Console.WriteLine(
            $"server: pid {process.ProcessId} on {process.BaseAddress}, store {kind.ToString().ToLowerInvariant()}"
        );
        return new BenchServer(process, data, store);
    }

    /// <summary>The last <paramref name="max"/> lines of what the server logged at warning level or above (each entry
    /// with its message and exception lines): printed when a benchmark finds a wrong answer, so CI's log says
    /// why.</summary>
    public IReadOnlyList<string> WarningsAndErrors(int max = 80)
    {
        var lines = new List<string>();
        var inEntry = false;
        foreach (var line in _process.Output.Split('\n'))
        {
            // The console logger starts an entry with its level ("warn: ", "fail: ", "crit: ") and indents the rest.
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inEntry =
                    line.StartsWith("warn:", StringComparison.Ordinal)
                    || line.StartsWith("fail:", StringComparison.Ordinal)
                    || line.StartsWith("crit:", StringComparison.Ordinal);
            }

            if (inEntry)
            {
                lines.Add(line);
            }
        }

        return lines.Count > max ? lines[^max..] : lines;
    }

    /// <summary>An HTTP/1.1 client with its own connection pool; each streaming response holds one
    /// connection.</summary>
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

    public async ValueTask DisposeAsync()
    {
        _process.Dispose();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await _store.DisposeAsync();
        _data.Dispose();
    }
}
