using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Issue 17's polish, in a real browser: live approvals with the navigation's count, a question before
/// every destructive action, real durations, the 404 page, failed tool calls, Settings on a phone.</summary>
[Collection(DashboardCollection.Name)]
public sealed class PolishTests(DashboardFixture fx)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_approval_appears_live_and_the_nav_count_follows()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/review/approvals");
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");
        var count = page.Locator("nav [data-pending-count]");
        await Expect(count).ToHaveAttributeAsync("data-pending-count", (await PendingAsync()).ToString());

        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"));
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");

        // The card arrives without a reload, with its agent's name and the tool's arguments in full.
        var card = page.Locator($"li[data-task-card]:has(a[href='/sessions/{sessionId}'])");
        await Expect(card).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(card.Locator("[data-agent-name]")).ToHaveTextAsync("demo-hitl");
        await Expect(card.Locator("[data-tool-arguments]")).ToContainTextAsync("\"amount\": 25");
        await Expect(count).ToHaveAttributeAsync("data-pending-count", (await PendingAsync()).ToString());
        await Expect(count).ToBeVisibleAsync();
        await ShotAsync(page, "approvals-live.png");

        // Answered elsewhere: the count goes down and the card says so (it stays, so an answer typed into it gets the
        // clear "already answered" message rather than vanishing), still without a reload.
        var taskId = (await fx.SessionAsync(sessionId)).GetProperty("tasks")[0].GetProperty("id").GetGuid();
        var answer = await fx.Admin.PostAsJsonAsync($"/api/tasks/{taskId}/answer", new { approved = false }, Ct);
        answer.EnsureSuccessStatusCode();
        await Expect(card.Locator("[data-stale]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(count).ToHaveAttributeAsync("data-pending-count", (await PendingAsync()).ToString());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page reloaded");

        // The kind filter groups kinds: anomaly shows reviews and alerts, never approvals.
        await page.GotoAsync("/review/approvals");
        await page.GetByLabel("Kind").SelectOptionAsync(new SelectOptionValue { Label = "Anomaly" });
        await Expect(page).ToHaveURLAsync(new Regex("kind=anomaly"));
        var kinds = await page.Locator(".task").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.kind)");
        Assert.All(kinds, k => Assert.StartsWith("anomaly_", k));
    }

    [Fact]
    public async Task Every_destructive_action_asks_first_and_cancel_changes_nothing()
    {
        var page = await fx.NewPageAsync();
        var dialog = ConfirmDialog.Of(page);
        async Task CancelAsync(string question)
        {
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog.Locator("h2")).ToHaveTextAsync(question);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();
        }

        // Settings: delete a secret, revoke a key.
        var secret = "confirm-" + Guid.NewGuid().ToString("N")[..8];
        var key = "confirm-key-" + Guid.NewGuid().ToString("N")[..6];
        await page.GotoAsync("/settings");
        await page.GetByLabel("Secret name", new() { Exact = true }).FillAsync(secret);
        await page.GetByLabel("Secret value", new() { Exact = true }).FillAsync("value-1");
        await page.Locator("#secrets").GetByRole(AriaRole.Button, new() { Name = "Save secret" }).ClickAsync();
        await Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync($"Secret {secret} saved.");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(key);
        await page.GetByLabel("demo", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.Locator("[data-created-secret]")).ToBeVisibleAsync();

        var secretRow = page.Locator($"tr[data-secret='{secret}']");
        await secretRow.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await ShotAsync(page, "confirm-dialog.png");
        await CancelAsync($"Delete secret {secret}?");
        await Expect(secretRow).ToHaveCountAsync(1);
        var keyRow = page.Locator(
            "tr",
            new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = key, Exact = true }) }
        );
        await keyRow.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await CancelAsync($"Revoke key {key}?");
        await Expect(keyRow).ToContainTextAsync("active");
        await secretRow.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page, $"Delete secret {secret}?");
        await Expect(page.Locator("p.notice[role=status]")).ToContainTextAsync($"Secret {secret} deleted.");
        await Expect(page.Locator($"tr[data-secret='{secret}']")).ToHaveCountAsync(0);

        // Versions: no Rollback while nothing was live before; then rollback and retract both ask.
        var agent = await fx.AgentAsync(
            new AgentSpec { State = VersionState.Testing, Script = [new ScriptTurn { Text = "Hi." }] }
        );
        var live = page.Locator(".title-line .muted").First;
        await page.GotoAsync($"/agents/{agent.AgentId}");
        await page.Locator("li[data-version]", new() { HasText = "v1" })
            .GetByRole(AriaRole.Button, new() { Name = "Deploy" })
            .ClickAsync();
        await Expect(live).ToContainTextAsync("live version: v1");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rollback" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "New Testing version" }).ClickAsync();
        var v2 = page.Locator("li[data-version]", new() { HasText = "v2" });
        await v2.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        await Expect(live).ToContainTextAsync("live version: v2");
        await Expect(page.Locator("p.notice[data-notice]")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" }).ClickAsync();
        await CancelAsync("Roll back to v1?");
        await v2.GetByRole(AriaRole.Button, new() { Name = "Retract" }).ClickAsync();
        await CancelAsync("Retract v2?");
        await Expect(live).ToContainTextAsync("live version: v2");

        // Triggers: delete a scheduled trigger.
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        var form = page.Locator("#new-scheduled-trigger");
        await form.GetByLabel("Trigger name").FillAsync("nightly");
        await form.GetByLabel("Cron expression").FillAsync("30 2 * * *");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create scheduled trigger" }).ClickAsync();
        var trigger = page.Locator("tr[data-trigger-name='nightly']");
        await trigger.GetByRole(AriaRole.Button, new() { Name = "Delete trigger" }).ClickAsync();
        await CancelAsync("Delete trigger nightly?");
        await Expect(trigger).ToHaveCountAsync(1);

        // Sessions: Terminate asks in its own dialog.
        var sessionId = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForTimer");
        await page.GotoAsync($"/sessions/{sessionId}");
        await page.Locator(".session-head summary[aria-label='Session actions']").ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Terminate session" }).ClickAsync();
        await Expect(page.Locator("#terminate-dialog")).ToBeVisibleAsync();
        await page.Locator("#terminate-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        Assert.Equal(
            "WaitingForTimer",
            (await fx.SessionAsync(sessionId)).GetProperty("session").GetProperty("status").GetString()
        );
        await fx.Admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, Ct);
    }

    [Fact]
    public async Task A_finished_session_shows_a_real_duration_a_failed_tool_badge_and_human_labels()
    {
        // The model calls a tool the version does not have: the call fails, the session still completes.
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "Looking it up.",
                        ToolCalls = [new ScriptToolCall("no_such_tool", SkeinJson.Parse("""{"q":1}"""))],
                    },
                    new ScriptTurn { Text = "Done anyway." },
                ],
            }
        );
        var sessionId = await fx.StartAsync(agent.AgentId);
        await fx.SessionInStatusAsync(sessionId, "Completed");

        var page = await fx.NewPageAsync();
        await page.Clock.InstallAsync();
        await page.GotoAsync($"/sessions/{sessionId}");
        await page.Clock.RunForAsync(3_000); // the running-duration ticker fires three times
        var duration = page.Locator("[data-duration]");
        await Expect(duration).Not.ToHaveAttributeAsync("data-running-since", new Regex(".*"));
        await Expect(duration).ToHaveTextAsync(new Regex(@"^(\d+ ms|\d+\.\d s|\d+m \d\ds)$"));
        await Expect(page.Locator(".session-head [data-failed-tools]")).ToHaveTextAsync("⚠ 1 failed tool call");
        await Expect(page.Locator(".session-head .title-line .badge").First).ToHaveAttributeAsync("title", "Completed");
        await ShotAsync(page, "session-failed-tools.png");

        await page.GotoAsync("/");
        await Expect(page.Locator($"#s-{sessionId} [data-failed-tools]"))
            .ToHaveAttributeAsync("data-failed-tools", "1");
        await Expect(page.Locator("link[rel=icon]")).ToHaveAttributeAsync("href", "/dashboard/favicon.svg");
        var icon = await page.APIRequest.GetAsync("/dashboard/favicon.svg");
        Assert.Equal(200, icon.Status);
    }

    [Fact]
    public async Task A_wrong_session_url_shows_the_404_page_and_a_short_id_finds_the_session()
    {
        var sessionId = await fx.StartAsync((await fx.QuickAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "Completed");
        var page = await fx.NewPageAsync();

        var missing = await page.GotoAsync($"/sessions/{Guid.NewGuid()}");
        Assert.Equal(404, missing!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Session not found" })).ToBeVisibleAsync();
        await Expect(page.Locator("nav[aria-label=Main]")).ToBeVisibleAsync();
        await ShotAsync(page, "not-found.png");

        var garbage = await page.GotoAsync("/sessions/not-a-session");
        Assert.Equal(404, garbage!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Session not found" })).ToBeVisibleAsync();

        await page.GotoAsync($"/sessions/{sessionId.ToString("N")[^8..]}");
        await Expect(page).ToHaveURLAsync(new Regex($"/sessions/{sessionId}$"));
    }

    [Fact]
    public async Task Settings_fit_a_390_px_phone_without_sideways_scrolling()
    {
        var page = await fx.NewPageAsync(390, 844);
        await page.GotoAsync("/settings");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"Settings is {overflow} px wider than the screen");
        await ShotAsync(page, "settings-narrow.png");
    }

    /// <summary>Keeps a screenshot for docs/dashboard.md when SKEIN_SCREENSHOT_DIR is set (see LayoutTests).</summary>
    private static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("SKEIN_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name), FullPage = false });
        }
    }

    private async Task<int> PendingAsync()
    {
        var count = 0;
        for (var skip = 0; ; skip += 100)
        {
            var page = await fx.Admin.GetFromJsonAsync<JsonElement>(
                $"/api/tasks?status=Pending&skip={skip}&take=100",
                Ct
            );
            var items = page.GetProperty("items").GetArrayLength();
            count += items;
            if (items < 100)
            {
                return count;
            }
        }
    }
}
