using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Dashboard;

/// <summary>
/// One Skein server on Kestrel (a real port on 127.0.0.1) and one headless Debian Chromium, shared by every
/// dashboard test. Each test gets its own browser context, already signed in as <c>admin</c>.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    /// <summary>The one browser, for <see cref="ClosesTestPagesAttribute"/>, which has no fixture instance (one
    /// fixture per test process).</summary>
    private static IBrowser? _shared;

    private IPlaywright? _playwright;
    private string? _signedIn;

    public SkeinApiFactory Factory { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()
            ?.Addresses
            ?? throw new InvalidOperationException("Kestrel reported no address");
        BaseUrl = addresses
            .First()
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        Admin = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Admin.DefaultRequestHeaders.Authorization = new("Bearer", SkeinApiFactory.AdminToken);
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Api.DefaultRequestHeaders.Add("X-API-Key", SkeinApiFactory.DemoApiKey);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
            }
        );
        _shared = Browser;

        // Sign in once through the real form; every test context starts from this cookie.
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("User name").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(SkeinApiFactory.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions
            .Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recent sessions" }))
            .ToBeVisibleAsync();
        _signedIn = await context.StorageStateAsync();
        await context.CloseAsync();
    }

    /// <summary>A fresh signed-in page (its own context, so tests never share tabs or dialogs).</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(
            new BrowserNewContextOptions
            {
                BaseURL = BaseUrl,
                StorageState = _signedIn,
                ViewportSize = new ViewportSize { Width = width, Height = height },
            }
        );
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Closes every open browser context: the ending test's pages, whoever opened them (the sign-in context
    /// is closed once its cookie is kept).</summary>
    public static async Task CloseTestPagesAsync()
    {
        foreach (var context in _shared?.Contexts.ToList() ?? [])
        {
            await context.CloseAsync();
        }
    }

    public async Task<Guid> AgentIdAsync(string name)
    {
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", TestContext.Current.CancellationToken);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == name)
            .GetProperty("id")
            .GetGuid();
    }

    /// <summary>Starts a console session of the agent through the management API and returns its id.</summary>
    public async Task<Guid> StartAsync(Guid agentId, object? input = null)
    {
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/runs",
            new { input = input ?? new { } },
            TestContext.Current.CancellationToken
        );
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("sessionId").GetGuid();
    }

    public async Task<JsonElement> SessionAsync(Guid sessionId) =>
        await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", TestContext.Current.CancellationToken);

    /// <summary>Waits until the session reaches the status (through the API, never a sleep).</summary>
    public Task<JsonElement> SessionInStatusAsync(Guid sessionId, string status) =>
        Eventually.Get(
            () => SessionAsync(sessionId),
            d => d.GetProperty("session").GetProperty("status").GetString() == status,
            what: $"session {sessionId} to be {status}"
        );

    /// <summary>An agent that parks in WaitingForTimer for minutes (within the default wait budget).</summary>
    public Task<CreatedAgent> WaitingAgentAsync() =>
        AgentAsync(
            new AgentSpec
            {
                Operations = [PhronyWaitTool.ToolName],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "Waiting a while.",
                        ToolCalls =
                        [
                            new ScriptToolCall(PhronyWaitTool.ToolName, SkeinJson.Parse("""{"seconds":240}""")),
                        ],
                    },
                    new ScriptTurn { Text = "Done." },
                ],
            }
        );

    /// <summary>An agent whose model call takes minutes: its session stays Running.</summary>
    public Task<CreatedAgent> BusyAgentAsync() =>
        AgentAsync(new AgentSpec { Script = [new ScriptTurn { Text = "Slow answer.", DelayMs = 240_000 }] });

    /// <summary>An agent that answers at once: its session completes.</summary>
    public Task<CreatedAgent> QuickAgentAsync() =>
        AgentAsync(new AgentSpec { Script = [new ScriptTurn { Text = "Quick answer." }] });

    public Task<CreatedAgent> AgentAsync(AgentSpec spec) =>
        TestData.CreateAgentAsync(
            Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            spec,
            TestContext.Current.CancellationToken
        );

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Admin?.Dispose();
        Api?.Dispose();
        await Factory.DisposeAsync();
    }
}

[RunsLong(110)]
[ClosesTestPages]
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
