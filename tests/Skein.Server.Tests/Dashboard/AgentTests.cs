using Microsoft.Playwright;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Agents in a real browser: Test run with JSON input validated against the version's input schema.</summary>
[Collection(DashboardCollection.Name)]
public sealed class AgentTests(DashboardFixture fx)
{
    [Fact]
    public async Task Test_run_starts_a_console_session_on_the_selected_version()
    {
        var demo = await fx.AgentIdAsync("demo");
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/agents");
        await page.GetByRole(AriaRole.Link, new() { Name = "demo", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{fx.BaseUrl}/agents/{demo}");
        await page.GetByLabel("Input (JSON object)").FillAsync("""{"hello": "from the dashboard"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test run" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sessions/[0-9a-f-]{36}$"));
        await Expect(page.Locator(".session-head")).ToContainTextAsync("console");
        var sessionId = Guid.Parse(page.Url.Split('/')[^1]);
        var session = (await fx.SessionAsync(sessionId)).GetProperty("session");
        Assert.Equal("console", session.GetProperty("triggerType").GetString());
        Assert.Equal(demo, session.GetProperty("agentId").GetGuid());
        Assert.Equal("from the dashboard", session.GetProperty("input").GetProperty("hello").GetString());
        await Expect(page.Locator(".session-head .title-line .badge"))
            .ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
    }

    [Fact]
    public async Task Test_run_input_that_breaks_the_schema_is_refused_on_the_form_without_a_session()
    {
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                InputSchema = """{"type":"object","required":["orderId"],"properties":{"orderId":{"type":"string"}}}""",
                Script = [new Skein.Core.Agents.ScriptTurn { Text = "ok" }],
            }
        );
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/agents/{agent.AgentId}");
        await page.GetByLabel("Input (JSON object)").FillAsync("""{"orderId": 42}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test run" }).ClickAsync();
        await Expect(page.Locator("[data-test-run-error]")).ToContainTextAsync("input schema");
        await Expect(page.GetByLabel("Input (JSON object)")).ToHaveValueAsync("""{"orderId": 42}""");

        await page.GetByLabel("Input (JSON object)").FillAsync("{not json");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test run" }).ClickAsync();
        await Expect(page.Locator("[data-test-run-error]")).ToContainTextAsync("not valid JSON");

        var list = await fx.Admin.GetStringAsync(
            $"/api/sessions?agentId={agent.AgentId}",
            TestContext.Current.CancellationToken
        );
        Assert.Contains("\"items\":[]", list);
    }
}
