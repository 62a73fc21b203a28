using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The session view in a real browser: answering a user task in place, basic and advanced timelines.</summary>
[Collection(DashboardCollection.Name)]
public sealed class SessionViewTests(DashboardFixture fx)
{
    private static async Task<IPage> OpenSessionAsync(DashboardFixture fx, Guid sessionId, string query = "")
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{sessionId}{query}");
        await Expect(page.Locator("#session-live[data-live=open]")).ToHaveCountAsync(1);
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");
        return page;
    }

    [Fact]
    public async Task Approving_a_pending_task_in_the_session_view_resumes_the_run_live()
    {
        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"));
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");
        var page = await OpenSessionAsync(fx, sessionId);

        var task = page.Locator(".task[data-kind=approval]");
        await Expect(task).ToContainTextAsync("skein_demo_refund");
        await Expect(task).ToContainTextAsync("\"amount\": 25");
        await task.GetByLabel("Comment").FillAsync("fine by me");
        await task.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        // The run resumes, runs the refund and finishes; the page follows without a reload.
        await Expect(page.Locator(".session-head .title-line .badge"))
            .ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
        await Expect(page.Locator(".task[data-kind=approval] [data-outcome]"))
            .ToContainTextAsync("Approved by operator:admin");
        await Expect(page.Locator(".step-ToolResult").Last).ToContainTextAsync("ok");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page reloaded");

        var run = (await fx.SessionAsync(sessionId)).GetProperty("runs").EnumerateArray().Single();
        Assert.Equal("Completed", run.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_stale_answer_gets_a_clear_message_instead_of_being_recorded()
    {
        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"));
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/review/approvals?kind=approval");
        var card = page.Locator($".task:has(a[href='/sessions/{sessionId}'])");
        await Expect(card).ToHaveCountAsync(1);

        // Someone else answers first (through the API) while this page still shows the task as Pending.
        var detail = await fx.SessionAsync(sessionId);
        var taskId = detail.GetProperty("tasks").EnumerateArray().Single().GetProperty("id").GetGuid();
        using var other = System.Net.Http.Json.JsonContent.Create(new { approved = false });
        (
            await fx.Admin.PostAsync($"/api/tasks/{taskId}/answer", other, TestContext.Current.CancellationToken)
        ).EnsureSuccessStatusCode();

        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(card.Locator("[data-error]")).ToContainTextAsync("already answered or cancelled");

        await page.GotoAsync("/review/approvals?tab=completed&kind=approval");
        await Expect(page.Locator($".task[data-task='{taskId}'] [data-outcome]"))
            .ToContainTextAsync("Rejected by operator:admin");
    }

    [Fact]
    public async Task Skip_wait_ends_a_phrony_wait_and_the_session_finishes_live()
    {
        var sessionId = await fx.StartAsync((await fx.WaitingAgentAsync()).AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForTimer");
        var page = await OpenSessionAsync(fx, sessionId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Skip wait" }).ClickAsync();
        await Expect(page.Locator(".session-head .title-line .badge"))
            .ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
        await Expect(page.Locator(".step-ToolResult")).ToContainTextAsync("\"skipped\": true");
    }

    [Fact]
    public async Task A_conversation_waiting_for_the_user_continues_with_a_message_from_the_session_view()
    {
        var agent = await fx.AgentAsync(
            new Skein.Testing.AgentSpec
            {
                Conversation = Skein.Core.Agents.ConversationMode.MultiTurn,
                Script =
                [
                    new Skein.Core.Agents.ScriptTurn { Text = "Hello! What can I do for you?" },
                    new Skein.Core.Agents.ScriptTurn { Text = "Noted, thank you." },
                ],
            }
        );
        var sessionId = await fx.StartAsync(agent.AgentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForResponse");
        var page = await OpenSessionAsync(fx, sessionId);
        await page.GetByLabel("Message to the agent").FillAsync("Please note my address change.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator(".step-user_message")).ToContainTextAsync("Please note my address change.");
        await Expect(page.Locator(".step-reasoning").Last).ToContainTextAsync("Noted, thank you.");
        await fx.Admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Basic_mode_shows_readable_cards_and_advanced_mode_the_raw_steps()
    {
        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo"));
        var detail = await fx.SessionInStatusAsync(sessionId, "Completed");
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{sessionId}");

        await Expect(page.Locator(".step-reasoning").First).ToContainTextAsync("Let me take a one-second pause first.");
        await Expect(page.Locator(".step-ToolCall")).ToContainTextAsync("phrony_wait");
        await Expect(page.Locator(".session-head")).ToContainTextAsync("demo");
        await Expect(page.Locator(".session-head")).ToContainTextAsync("v1");
        await Expect(page.Locator(".session-head")).ToContainTextAsync("console");
        await Expect(page.Locator("[data-total-tokens]"))
            .ToHaveTextAsync(
                detail
                    .GetProperty("session")
                    .GetProperty("totalTokensUsed")
                    .GetInt64()
                    .ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
            );
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Tokens per step" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Advanced" }).ClickAsync();
        var steps = detail.GetProperty("steps").EnumerateArray().ToList();
        await Expect(page.Locator(".timeline.advanced > li")).ToHaveCountAsync(steps.Count);
        await Expect(page.Locator(".timeline.advanced"))
            .ToContainTextAsync(steps[0].GetProperty("id").GetGuid().ToString());
        await Expect(page.Locator(".timeline.advanced")).ToContainTextAsync("\"step_kind\": \"llm_request_prepared\"");
    }
}
