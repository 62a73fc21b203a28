using Skein.Testing.Stores;

namespace Skein.Server.Tests;

/// <summary>
/// The base of every API test class: its tests are <see cref="StoreFactAttribute"/> / <see
/// cref="StoreTheoryAttribute"/>, so each runs on SQLite and on PostgreSQL, against the class's shared server
/// for that store (<see cref="ApiServers"/>).
/// </summary>
public abstract class ApiTests(ApiServers servers) : IClassFixture<ApiServers>
{
    /// <summary>The server on this test case's store.</summary>
    protected SkeinApiFactory Server { get; } = servers.For(TestStores.Current);

    protected StoreKind StoreKind => Server.Store;

    /// <summary>The server's admin client (bearer token).</summary>
    protected HttpClient Admin => Server.Admin;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;
}
