using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Home / Recent sessions in a real browser: filters, live rows, ⋯ Session actions.</summary>
[Collection(DashboardCollection.Name)]
public sealed class HomeTests(DashboardFixture fx)
{
    private static ILocator Row(IPage page, Guid sessionId) => page.Locator($"#s-{sessionId}");

    /// <summary>Home with its live feed connected (so what happens next must arrive through it).</summary>
    private static async Task<IPage> OpenHomeAsync(DashboardFixture fx, string path = "/")
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync(path);
        await Expect(page.Locator("table.sessions[data-live=open]")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");
        return page;
    }

    private static async Task AssertNotReloadedAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page reloaded");

    [Fact]
    public async Task The_status_filter_shows_only_sessions_in_that_status_and_lives_in_the_url()
    {
        var waiting = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        var done = await fx.StartAsync((await fx.QuickAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(waiting, "WaitingForTimer");
        await fx.SessionInStatusAsync(done, "Completed");

        var page = await fx.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("Status").SelectOptionAsync("WaitingForTimer");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status=WaitingForTimer"));
        await Expect(Row(page, waiting).Locator(".badge")).ToHaveTextAsync("Waiting on timer");
        await Expect(Row(page, done)).ToHaveCountAsync(0);
        var statuses = await page.Locator("table.sessions tbody tr")
            .EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.status)");
        Assert.All(statuses, s => Assert.Equal("WaitingForTimer", s));

        await page.GotoAsync("/?status=Completed");
        await Expect(Row(page, done).Locator(".badge")).ToHaveTextAsync("Completed");
        await Expect(Row(page, waiting)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Pages_follow_each_other_without_overlap_or_gaps()
    {
        var agent = await fx.QuickAgentAsync();
        var started = new List<Guid>();
        for (var i = 0; i < IndexPageSize + 5; i++)
        {
            started.Add(await fx.StartAsync(agent.AgentId));
        }

        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/?agentId={agent.AgentId}");
        var ids = () =>
            page.Locator("table.sessions tbody tr")
                .EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.session)");
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(IndexPageSize);
        var first = await ids();
        await page.GetByRole(AriaRole.Link, new() { Name = "Older ›" }).ClickAsync();
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(5);
        var second = await ids();
        Assert.Equal(started.Select(s => s.ToString()).Order(), first.Concat(second).Order());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Older ›" })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "‹ Newer" }).ClickAsync();
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(IndexPageSize);
        Assert.Equal(first, await ids());
    }

    private const int IndexPageSize = Skein.Server.Dashboard.Pages.IndexModel.PageSize;

    [Fact]
    public async Task A_session_started_through_the_public_api_appears_live_without_a_reload()
    {
        var page = await OpenHomeAsync(fx);
        var demo = await fx.AgentIdAsync("demo");
        var response = await fx.Api.PostAsJsonAsync(
            $"/v1/agents/{demo}/runs",
            new { input = new { from = "api" } },
            TestContext.Current.CancellationToken
        );
        response.EnsureSuccessStatusCode();
        var sessionId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
            .GetProperty("sessionId")
            .GetGuid();

        await Expect(Row(page, sessionId)).ToBeVisibleAsync();
        await Expect(Row(page, sessionId).Locator("td[data-label=Trigger]")).ToContainTextAsync("api");
        await Expect(Row(page, sessionId).Locator("td[data-label=Agent]")).ToHaveTextAsync("demo");

        // The demo waits a second, then answers: the status change arrives live too.
        await Expect(Row(page, sessionId).Locator(".badge")).ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
        await AssertNotReloadedAsync(page);
    }

    [Fact]
    public async Task Terminate_asks_for_confirmation_then_the_row_turns_Terminated_live_and_the_run_fails()
    {
        var sessionId = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForTimer");
        var page = await OpenHomeAsync(fx);

        var row = Row(page, sessionId);
        await row.GetByLabel("Session actions").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Terminate session" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Terminate session?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("In-progress runs in this session will fail. This can't be undone.");

        // Cancel leaves the session alone.
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(
            "WaitingForTimer",
            (await fx.SessionAsync(sessionId)).GetProperty("session").GetProperty("status").GetString()
        );

        await row.GetByLabel("Session actions").ClickAsync();
        await row.GetByRole(AriaRole.Menuitem, new() { Name = "Terminate session" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Terminate", Exact = true }).ClickAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("Terminated");
        await Expect(row.GetByLabel("Session actions")).ToHaveCountAsync(0);
        await AssertNotReloadedAsync(page);

        var detail = await fx.SessionAsync(sessionId);
        var run = detail.GetProperty("runs").EnumerateArray().Single();
        Assert.Equal("Failed", run.GetProperty("status").GetString());
        Assert.Equal("terminated by operator", run.GetProperty("error").GetString());

        // The session view says who ended it.
        await page.GotoAsync($"/sessions/{sessionId}");
        await Expect(page.Locator("[data-audit-note]")).ToContainTextAsync("Terminated by operator:admin");
    }

    [Fact]
    public async Task Mark_complete_is_offered_only_while_the_session_waits()
    {
        var waiting = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        var running = await fx.StartAsync((await fx.BusyAgentAsync()).AgentId);
        var done = await fx.StartAsync((await fx.QuickAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(waiting, "WaitingForTimer");
        await fx.SessionInStatusAsync(done, "Completed");
        Assert.Equal(
            "Running",
            (await fx.SessionAsync(running)).GetProperty("session").GetProperty("status").GetString()
        );
        var page = await OpenHomeAsync(fx);

        // Running: Terminate only.
        await Row(page, running).GetByLabel("Session actions").ClickAsync();
        await Expect(Row(page, running).GetByRole(AriaRole.Menuitem, new() { Name = "Terminate session" }))
            .ToBeVisibleAsync();
        await Expect(Row(page, running).GetByRole(AriaRole.Menuitem, new() { Name = "Mark complete" }))
            .ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Escape");

        // Finished: no actions at all.
        await Expect(Row(page, done).Locator(".badge")).ToHaveTextAsync("Completed");
        await Expect(Row(page, done).GetByLabel("Session actions")).ToHaveCountAsync(0);

        // Waiting: Mark complete is offered, and completes the session live.
        await Row(page, waiting).GetByLabel("Session actions").ClickAsync();
        await Row(page, waiting).GetByRole(AriaRole.Menuitem, new() { Name = "Mark complete" }).ClickAsync();
        await Expect(Row(page, waiting).Locator(".badge")).ToHaveTextAsync("Completed");
        await AssertNotReloadedAsync(page);
        var run = (await fx.SessionAsync(waiting)).GetProperty("runs").EnumerateArray().Single();
        Assert.Equal("operator:admin", run.GetProperty("completedBy").GetString());

        await fx.Admin.PostAsync($"/api/sessions/{running}/terminate", null, TestContext.Current.CancellationToken);
    }
}
