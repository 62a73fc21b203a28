using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Server.Tests;

/// <summary>
/// The whole server over real HTTP, on its own data folder and store: a SQLite file in the data folder, or a
/// PostgreSQL database of its own (made by <see cref="CreateAsync"/>). The host starts on first use. Besides
/// clients, it arranges what API tests need the way an operator would: agents with an api trigger and a key
/// scoped to it (<see cref="CreateApiAgentAsync"/>), the seeded demo agent, keys.
/// </summary>
public class SkeinApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminToken = "test-admin-token";

    /// <summary>The seeded demo key (scoped to the <c>demo</c> and <c>demo-hitl</c> agents, file uploads
    /// allowed).</summary>
    public const string DemoApiKey = "phk_test_demo_key_0123456789abcdef";

    /// <summary>The dashboard's <c>admin</c> password.</summary>
    public const string AdminPassword = "test-admin-password";

    private readonly Lazy<HttpClient> _admin;
    private TestStore? _store;

    /// <summary>A server on SQLite (what a class fixture of this type gets).</summary>
    public SkeinApiFactory()
        : this(StoreKind.Sqlite) { }

    private SkeinApiFactory(StoreKind store)
    {
        Store = store;
        _admin = new Lazy<HttpClient>(CreateAdminClient);
    }

    public StoreKind Store { get; }

    public TempDirectory Data { get; } = new("skein-api");

    /// <summary>Settings applied after the kit's own (set them before the server's first use).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    /// <summary>One admin client (bearer token) shared by whoever uses this server.</summary>
    public HttpClient Admin => _admin.Value;

    public IDbContextFactory<SkeinDbContext> Contexts =>
        Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();

    /// <summary>A server on <paramref name="store"/> whose database exists; PostgreSQL without
    /// <c>SKEIN_TEST_POSTGRES</c> throws, so the test fails saying so.</summary>
    public static async Task<SkeinApiFactory> CreateAsync(StoreKind store, CancellationToken cancellationToken)
    {
        var factory = new SkeinApiFactory(store);
        try
        {
            await factory.CreateStoreAsync(cancellationToken);
            return factory;
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    /// <summary>A server of its own on the running test's store (<see cref="TestStores.Current"/>), for a test that
    /// needs a fresh or specially configured host. The caller disposes it.</summary>
    public static Task<SkeinApiFactory> FreshAsync() =>
        CreateAsync(TestStores.Current, TestContext.Current.CancellationToken);

    /// <summary>Creates the PostgreSQL database (xunit calls this for class fixtures; SQLite needs
    /// nothing).</summary>
    public ValueTask InitializeAsync() => new(CreateStoreAsync(TestContext.Current.CancellationToken));

    private async Task CreateStoreAsync(CancellationToken cancellationToken)
    {
        if (Store == StoreKind.Postgres && _store is null)
        {
            _store = await TestStore.CreateAsync(Store, cancellationToken);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Store == StoreKind.Postgres)
        {
            var store = _store
                ?? throw new InvalidOperationException(
                    "a PostgreSQL server needs its database first: create it with SkeinApiFactory.CreateAsync"
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

        // The tests' integrations and model fakes listen on 127.0.0.1 (a test of the egress policy turns it off).
        builder.UseSetting("Skein:Egress:AllowPrivateNetworks", "true");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
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

    /// <summary>Creates an agent from <paramref name="spec"/>, gives it an api trigger (with
    /// <paramref name="triggerSettings"/>) and a key scoped to that trigger.</summary>
    public async Task<ApiAgent> CreateApiAgentAsync(
        AgentSpec spec,
        object? triggerSettings = null,
        bool allowFileUploads = false
    )
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // Contexts starts the host (and seeds its workspace) before anything is written to its store.
        var agent = await TestData.CreateAgentAsync(Contexts, spec, cancellationToken);
        var trigger = await (await UpdateApiTriggerAsync(agent.AgentId, triggerSettings ?? new { }))
            .EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var scope = new ApiScope(agent.AgentId, trigger.GetProperty("id").GetGuid());
        var key = await ApiKeys.CreateAsync(Admin, spec.Name, allowFileUploads, scope);
        return new ApiAgent(scope.AgentId, scope.TriggerId, key, CreateApiClient(key));
    }

    /// <summary>PUTs the agent's api trigger settings (creating the trigger if it has none).</summary>
    public Task<HttpResponseMessage> UpdateApiTriggerAsync(Guid agentId, object settings) =>
        Admin.PutAsJsonAsync($"/api/agents/{agentId}/triggers/api", settings, TestContext.Current.CancellationToken);

    /// <summary>The seeded <c>demo</c> agent and its api trigger.</summary>
    public async Task<ApiScope> DemoAgentAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", cancellationToken);
        var agentId = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo")
            .GetProperty("id")
            .GetGuid();
        var triggers = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/triggers", cancellationToken);
        var triggerId = triggers
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "api")
            .GetProperty("id")
            .GetGuid();
        return new ApiScope(agentId, triggerId);
    }

    /// <summary>A multi-turn agent whose scripted model answers twice, then runs out of script.</summary>
    public async Task<ApiScope> MultiTurnAgentAsync()
    {
        var agent = await CreateApiAgentAsync(
            new AgentSpec
            {
                Name = "chat-" + Guid.NewGuid().ToString("N")[..8],
                Conversation = ConversationMode.MultiTurn,
                Script =
                [
                    new ScriptTurn { Text = "Hello! What can I do for you?" },
                    new ScriptTurn { Text = "Noted, thank you." },
                ],
            },
            new { active = true }
        );
        return agent.Scope;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        await base.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Data.Dispose();
        GC.SuppressFinalize(this);
    }
}
