using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Keyboard use, narrow screens, settings, and the screenshots the docs show.</summary>
[Collection(DashboardCollection.Name)]
public sealed class LayoutTests(DashboardFixture fx)
{
    [Fact]
    public async Task Session_actions_work_from_the_keyboard_alone()
    {
        var sessionId = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForTimer");
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{sessionId}");
        await Expect(page.Locator("#session-live[data-live=open]")).ToHaveCountAsync(1);

        var menu = page.Locator(".session-head").GetByLabel("Session actions");
        await menu.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var head = page.Locator(".session-head");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(head.GetByRole(AriaRole.Menuitem, new() { Name = "Mark complete" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(head.GetByRole(AriaRole.Menuitem, new() { Name = "Terminate session" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Terminate session?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Terminate", Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".session-head .title-line .badge")).ToHaveTextAsync("Terminated");
        await Expect(page.Locator("[data-audit-note]")).ToContainTextAsync("operator:admin");
    }

    [Fact]
    public async Task On_a_narrow_screen_rows_become_labelled_cards_without_horizontal_scrolling()
    {
        var sessionId = await fx.StartAsync((await fx.QuickAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "Completed");
        var page = await fx.NewPageAsync(width: 390, height: 844);
        await page.GotoAsync("/");
        var row = page.Locator($"#s-{sessionId}");
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("table.sessions thead")).ToBeHiddenAsync();
        var overflow = await page.EvaluateAsync<bool>(
            "() => document.documentElement.scrollWidth > window.innerWidth + 1"
        );
        Assert.False(overflow, "the page scrolls sideways at 390 px");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Creating_an_api_key_shows_its_secret_once_and_it_can_be_revoked()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        var name = "key-" + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("demo", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = page.Locator("[data-created-secret] code");
        await Expect(secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^phk_"));
        var value = await secret.TextContentAsync();

        // The key works on the public API...
        using var api = new HttpClient { BaseAddress = new Uri(fx.BaseUrl) };
        api.DefaultRequestHeaders.Add("X-API-Key", value);
        Assert.True((await api.GetAsync("/v1/agents", TestContext.Current.CancellationToken)).IsSuccessStatusCode);

        // ...and is never shown again.
        await page.GotoAsync("/settings");
        await Expect(page.Locator("[data-created-secret]")).ToHaveCountAsync(0);
        Assert.DoesNotContain(value!, await page.ContentAsync());
        var row = page.Locator(
            "tr",
            new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = name, Exact = true }) }
        );
        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page);
        await Expect(row).ToContainTextAsync("revoked");
    }

    [Fact]
    public async Task A_secret_saved_in_settings_is_listed_by_name_and_its_value_is_never_shown()
    {
        var page = await fx.NewPageAsync();
        var name = "it-secret-" + Guid.NewGuid().ToString("N")[..8];
        const string value = "s3cr3t-value-never-rendered-9f2c";
        await page.GotoAsync("/settings");
        await page.GetByLabel("Secret name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Secret value", new() { Exact = true }).FillAsync(value);
        await page.Locator("#secrets").GetByRole(AriaRole.Button, new() { Name = "Save secret" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Secret {name} saved.");
        var row = page.Locator($"tr[data-secret='{name}']");
        await Expect(row).ToHaveCountAsync(1);
        Assert.DoesNotContain(value, await page.ContentAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Secret {name} deleted.");
        await Expect(page.Locator($"tr[data-secret='{name}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_connection_test_button_reports_a_providers_answer()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        var scripted = page.Locator("#providers tr[data-kind=scripted]").First;
        await scripted.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToContainTextAsync(
                new System.Text.RegularExpressions.Regex(@"Connection to .+: ok in \d+ ms \(1 models\)")
            );
    }

    [Fact]
    public async Task Plan_limits_out_of_range_are_refused_with_the_field_named()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/settings");
        await page.GetByLabel("Retention (days to keep finished sessions)").FillAsync("0");
        await page.Locator("#workspace form").EvaluateAsync("f => f.noValidate = true");
        await page.Locator("#workspace").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("retention: must be between 1 and 3650 days");
    }

    /// <summary>
    /// Renders the documented screens at 1280 px (and Home at 390 px). Set SKEIN_SCREENSHOT_DIR to keep them
    /// (that is how docs/images is produced); otherwise they go to a temporary folder.
    /// </summary>
    [Fact]
    public async Task The_main_screens_render_for_the_docs()
    {
        var dir = Environment.GetEnvironmentVariable("SKEIN_SCREENSHOT_DIR") is { Length: > 0 } d
            ? d
            : Directory.CreateTempSubdirectory("skein-shots").FullName;
        Directory.CreateDirectory(dir);
        var completed = await fx.StartAsync(await fx.AgentIdAsync("demo"), new { customer = "Ada" });
        var approval = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"), new { order = "A-1042" });
        await fx.SessionInStatusAsync(completed, "Completed");
        await fx.SessionInStatusAsync(approval, "WaitingForHITL");
        var triggered = (await fx.QuickAgentAsync()).AgentId;
        foreach (
            var trigger in new object[]
            {
                new
                {
                    type = "scheduled",
                    name = "weekday-report",
                    cron = "0 9 * * 1-5",
                    timeZone = "Europe/Berlin",
                    input = new { report = "daily" },
                },
                new
                {
                    type = "event",
                    name = "orders",
                    inputPath = "data.order",
                },
            }
        )
        {
            (
                await fx.Admin.PostAsJsonAsync(
                    $"/api/agents/{triggered}/triggers",
                    trigger,
                    TestContext.Current.CancellationToken
                )
            ).EnsureSuccessStatusCode();
        }

        var page = await fx.NewPageAsync(1280, 860);
        var shots = new (string File, string Path)[]
        {
            ("home.png", "/"),
            ("session-basic.png", $"/sessions/{completed}"),
            ("session-advanced.png", $"/sessions/{completed}?mode=advanced"),
            ("approvals.png", "/review/approvals"),
            ("session-approval.png", $"/sessions/{approval}"),
            ("settings.png", "/settings"),
            ("agent-triggers.png", $"/agents/{triggered}?tab=triggers"),
        };
        foreach (var (file, path) in shots)
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("main h1")).ToBeVisibleAsync();
            await page.ScreenshotAsync(
                new() { Path = Path.Combine(dir, file), FullPage = file != "session-advanced.png" }
            );
            Assert.True(new FileInfo(Path.Combine(dir, file)).Length > 10_000, $"{file} looks empty");
        }

        var narrow = await fx.NewPageAsync(390, 844);
        await narrow.GotoAsync("/");
        await narrow.ScreenshotAsync(new() { Path = Path.Combine(dir, "home-narrow.png") });
    }
}
