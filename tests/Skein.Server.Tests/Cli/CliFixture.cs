using Skein.Server.Tests.Crash;
using Skein.Server.Tests.Manifests;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests.Cli;

/// <summary>An HTTP operation receiver and one real server process per store (SQLite in its own data folder, or a
/// PostgreSQL database of its own), each started on its first test, shared by the CLI tests.</summary>
public sealed class CliFixture : IAsyncLifetime
{
    public const string Token = "cli-test-admin-token";

    private readonly Dictionary<StoreKind, Task<ServerProcess>> _servers = [];
    private readonly List<TestStore> _stores = [];

    public TempDirectory Data { get; } = new("skein-cli");

    public TempDirectory Work { get; } = new("skein-cli-work");

    public OperationReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Receiver = await OperationReceiver.StartAsync(CancellationToken.None);
        foreach (var name in new[] { "request-agent.yaml", "hitl-agent.yaml" })
        {
            await File.WriteAllTextAsync(Path.Combine(Work.Path, name), ManifestClient.Sample(name));
        }

        await File.WriteAllTextAsync(
            Path.Combine(Work.Path, "request-values.yaml"),
            $"orders_base_url: {Receiver.BaseUrl}\n"
        );
        await File.WriteAllTextAsync(
            Path.Combine(Work.Path, "hitl-values.yaml"),
            $"payments_base_url: {Receiver.BaseUrl}\n"
        );
    }

    /// <summary>The server process on the running test's store.</summary>
    public Task<ServerProcess> ServerAsync()
    {
        var store = TestStores.Current;
        lock (_servers)
        {
            if (!_servers.TryGetValue(store, out var server))
            {
                _servers[store] = server = StartServerAsync(store);
            }

            return server;
        }
    }

    private async Task<ServerProcess> StartServerAsync(StoreKind store)
    {
        var environment = new Dictionary<string, string>();
        if (store == StoreKind.Postgres)
        {
            var database = await TestStore.CreateAsync(store, CancellationToken.None);
            lock (_stores)
            {
                _stores.Add(database);
            }

            foreach (var (key, value) in database.ServerSettings)
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        var data = Directory.CreateDirectory(Path.Combine(Data.Path, store.ToString())).FullName;
        return await ServerProcess.StartAsync(data, Token, CancellationToken.None, environment: environment);
    }

    public async Task<CliProcess> StartAsync(params string[] args) =>
        CliProcess.Start((await ServerAsync()).BaseAddress, Token, Work.Path, args);

    /// <summary>Runs the CLI to its end with <paramref name="input"/> on its standard input.</summary>
    public async Task<(int Code, string Out, string Err)> RunWithInputAsync(string input, params string[] args)
    {
        using var cli = CliProcess.StartWithInput((await ServerAsync()).BaseAddress, Token, Work.Path, input, args);
        var code = await cli.ExitAsync();
        return (code, cli.Stdout, cli.Stderr);
    }

    /// <summary>Runs the CLI to its end: exit code, stdout, stderr.</summary>
    public async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var cli = await StartAsync(args);
        var code = await cli.ExitAsync();
        return (code, cli.Stdout, cli.Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            try
            {
                (await server).Dispose();
            }
            catch (Exception) when (!server.IsCompletedSuccessfully)
            {
                // A server that never started has nothing to stop; its tests already failed saying why.
            }
        }

        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        Data.Dispose();
        Work.Dispose();
    }
}
