using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Skein.Testing;

namespace Skein.Server.Tests;

/// <summary>The whole server over real HTTP, on its own data folder (SQLite file) per factory.</summary>
public sealed class SkeinApiFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token";

    /// <summary>The seeded demo key (scoped to the <c>demo</c> and <c>demo-hitl</c> agents, file uploads allowed).</summary>
    public const string DemoApiKey = "phk_test_demo_key_0123456789abcdef";

    /// <summary>The dashboard's <c>admin</c> password.</summary>
    public const string AdminPassword = "test-admin-password";

    public TempDirectory Data { get; } = new("skein-api");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
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
        Data.Dispose();
    }
}
