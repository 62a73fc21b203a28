using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests;

/// <summary>
/// The whole server over real HTTP, on its own data folder and store per factory: a SQLite file, or a PostgreSQL
/// database of its own (<see cref="PostgresApiFactory"/>).
/// </summary>
public class SkeinApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminToken = "test-admin-token";

    /// <summary>The seeded demo key (scoped to the <c>demo</c> and <c>demo-hitl</c> agents, file uploads
    /// allowed).</summary>
    public const string DemoApiKey = "phk_test_demo_key_0123456789abcdef";

    /// <summary>The dashboard's <c>admin</c> password.</summary>
    public const string AdminPassword = "test-admin-password";

    private TestStore? _store;

    public TempDirectory Data { get; } = new("skein-api");

    /// <summary>Which store the server uses; <see cref="PostgresApiFactory"/> overrides it.</summary>
    protected virtual StoreKind StoreKind => StoreKind.Sqlite;

    /// <summary>Creates the PostgreSQL database (xunit calls this for class fixtures; a SQLite server needs
    /// nothing).</summary>
    public async ValueTask InitializeAsync()
    {
        if (StoreKind == StoreKind.Postgres)
        {
            _store = await TestStore.CreateAsync(StoreKind, TestContext.Current.CancellationToken);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (StoreKind == StoreKind.Postgres)
        {
            var store = _store
                ?? throw new InvalidOperationException(
                    "a PostgreSQL factory must be initialized (InitializeAsync) before use"
                );
            foreach (var (key, value) in store.ServerSettings)
            {
                builder.UseSetting(key, value);
            }
        }

        builder.UseSetting("SKEIN_DATA_DIR", Data.Path);
        builder.UseSetting("SKEIN_ADMIN_TOKEN", AdminToken);
        builder.UseSetting("SKEIN_DEMO_API_KEY", DemoApiKey);
        builder.UseSetting("SKEIN_ADMIN_PASSWORD", AdminPassword);
        builder.UseSetting("Skein:Engine:TimerPollInterval", "00:00:00.050");
    }

    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public HttpClient CreateApiClient(string apiKey = DemoApiKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Data.Dispose();
    }
}

/// <summary>The same server on a PostgreSQL database of its own.</summary>
public sealed class PostgresApiFactory : SkeinApiFactory
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
