using Skein.Testing.Stores;

namespace Skein.Server.Tests;

/// <summary>
/// The servers one API test class shares: one on SQLite and one on a PostgreSQL database of the class's own,
/// each started on its first test. A class fixture of every <see cref="ApiTests"/> class.
/// </summary>
public sealed class ApiServers : IAsyncLifetime
{
    private readonly Dictionary<StoreKind, SkeinApiFactory> _servers = [];
    private readonly Dictionary<StoreKind, Exception> _failures = [];

    public async ValueTask InitializeAsync()
    {
        foreach (var store in TestStores.All)
        {
            try
            {
                _servers[store] = await SkeinApiFactory.CreateAsync(store, TestContext.Current.CancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Only that store's tests fail (with this reason); the other store's still run.
                _failures[store] = e;
            }
        }
    }

    /// <summary>The server on <paramref name="store"/>; throws why it could not be made.</summary>
    public SkeinApiFactory For(StoreKind store) =>
        _servers.TryGetValue(store, out var server)
            ? server
            : throw new InvalidOperationException(
                $"no {store} server for this test class: {_failures.GetValueOrDefault(store)?.Message}",
                _failures.GetValueOrDefault(store)
            );

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }
}
