using Microsoft.Playwright;
using Skein.Core.Agents;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>An agent's versions, sessions and triggers in a real browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AgentVersionTests(DashboardFixture fx)
{
    [Fact]
    public async Task A_new_testing_version_can_be_edited_deployed_and_rolled_back()
    {
        var agent = await fx.AgentAsync(
            new AgentSpec { State = VersionState.Testing, Script = [new ScriptTurn { Text = "Hi." }] }
        );
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}");
        await Expect(page.Locator(".title-line .muted").First).ToContainTextAsync("live version: none");
        await page.Locator("li[data-version]", new() { HasText = "v1" })
            .GetByRole(AriaRole.Button, new() { Name = "Deploy" })
            .ClickAsync();
        await Expect(page.Locator(".title-line .muted").First).ToContainTextAsync("live version: v1");
        await page.GetByRole(AriaRole.Button, new() { Name = "New Testing version" }).ClickAsync();
        var v2 = page.Locator("li[data-version]", new() { HasText = "v2" });
        await Expect(v2.Locator(".badge")).ToHaveTextAsync("Testing");

        await v2.GetByText("Edit v2").ClickAsync();
        await v2.GetByLabel("Description").FillAsync("Friendlier greeting");
        await v2.GetByLabel("Temperature").FillAsync("0.3");
        await v2.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("Saved.");
        await Expect(v2).ToContainTextAsync("Friendlier greeting");

        await v2.GetByRole(AriaRole.Button, new() { Name = "Deploy" }).ClickAsync();
        await Expect(v2.Locator(".badge")).ToHaveTextAsync("Deployed");
        await Expect(page.Locator("li[data-version]", new() { HasText = "v1" }).Locator(".badge"))
            .ToHaveTextAsync("Archived");
        await Expect(page.Locator(".title-line .muted").First).ToContainTextAsync("live version: v2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" }).ClickAsync();
        await ConfirmDialog.AcceptAsync(page, "Roll back to v1?");
        await Expect(page.Locator("li[data-version]", new() { HasText = "v1" }).Locator(".badge"))
            .ToHaveTextAsync("Deployed");

        await page.Locator("li[data-version]", new() { HasText = "v1" })
            .GetByRole(AriaRole.Button, new() { Name = "Retract" })
            .ClickAsync();
        await ConfirmDialog.AcceptAsync(page, "Retract v1?");
        await Expect(page.Locator(".title-line .muted").First).ToContainTextAsync("live version: none");
    }

    [Fact]
    public async Task A_deployed_version_cannot_be_edited_from_the_page()
    {
        var agent = await fx.QuickAgentAsync();
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}");
        var v1 = page.Locator("li[data-version]", new() { HasText = "v1" });
        await Expect(v1.Locator(".badge")).ToHaveTextAsync("Deployed");
        await Expect(v1.GetByText("Edit v1")).ToHaveCountAsync(0);
        await Expect(v1.GetByText("Settings (read-only)")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_sessions_tab_lists_the_agents_sessions_and_adds_new_ones_live()
    {
        var agent = await fx.WaitingAgentAsync();
        var first = await fx.StartAsync(agent.AgentId);
        var other = await fx.StartAsync((await fx.QuickAgentAsync()).AgentId);
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=sessions");
        await Expect(page.Locator($"#s-{first}")).ToBeVisibleAsync();
        await Expect(page.Locator("table.sessions[data-live=open]")).ToHaveCountAsync(1);

        var second = await fx.StartAsync(agent.AgentId);
        await Expect(page.Locator($"#s-{second}")).ToBeVisibleAsync();
        await Expect(page.Locator($"#s-{other}")).ToHaveCountAsync(0);
        await fx.Admin.PostAsync($"/api/sessions/{first}/terminate", null, TestContext.Current.CancellationToken);
        await Expect(page.Locator($"#s-{first} .badge")).ToHaveTextAsync("Terminated");
        await fx.Admin.PostAsync($"/api/sessions/{second}/terminate", null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_triggers_tab_shows_the_api_access_info_and_saves_its_settings()
    {
        var demo = await fx.AgentIdAsync("demo");
        var triggers = await fx.Admin.GetStringAsync(
            $"/api/agents/{demo}/triggers",
            TestContext.Current.CancellationToken
        );
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{demo}?tab=triggers");
        var access = page.Locator("[data-access-info]");
        await Expect(access).ToContainTextAsync(fx.BaseUrl);
        await Expect(access).ToContainTextAsync(demo.ToString());
        var triggerId = await access.Locator("dd").Nth(2).TextContentAsync();
        Assert.Contains(triggerId!, triggers);

        var agent = await fx.QuickAgentAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=triggers");
        await page.GetByLabel("Requests per minute (empty: unlimited)").FillAsync("120");
        await page.GetByLabel("IP allowlist (one address or CIDR per line)").FillAsync("10.0.0.0/8\nnot-an-ip");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("[data-notice]"))
            .ToContainTextAsync("'not-an-ip' is neither an IP address nor a CIDR range");

        await page.GetByLabel("Requests per minute (empty: unlimited)").FillAsync("120");
        await page.GetByLabel("IP allowlist (one address or CIDR per line)").FillAsync("10.0.0.0/8");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("[data-notice]")).ToHaveTextAsync("api trigger saved.");
        var saved = await fx.Admin.GetStringAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            TestContext.Current.CancellationToken
        );
        Assert.Contains("\"rpm_limit\":120", saved);
        Assert.Contains("10.0.0.0/8", saved);
    }

    [Fact]
    public async Task A_question_from_the_agent_is_answered_in_the_session_view_and_the_run_continues()
    {
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = ["ask_user_choice"],
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls =
                        [
                            new ScriptToolCall(
                                "ask_user_choice",
                                Skein.Core.SkeinJson.Parse(
                                    """{"question":"Which plan?","options":[{"id":"basic","label":"Basic"},"""
                                        + """{"id":"pro","label":"Pro"}]}"""
                                )
                            ),
                        ],
                    },
                    new ScriptTurn { Text = "Pro it is." },
                ],
            }
        );
        var sessionId = await fx.StartAsync(agent.AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{sessionId}");
        var task = page.Locator(".task[data-kind=multi_option]");
        await Expect(task).ToContainTextAsync("Which plan?");
        await task.GetByLabel("Pro").CheckAsync();
        await task.GetByRole(AriaRole.Button, new() { Name = "Answer" }).ClickAsync();
        await Expect(page.Locator(".session-head .title-line .badge"))
            .ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
        await Expect(page.Locator(".task[data-kind=multi_option] [data-outcome]"))
            .ToContainTextAsync("Answered: pro by operator:admin");
        await Expect(page.Locator(".step-reasoning").Last).ToContainTextAsync("Pro it is.");
    }
}
