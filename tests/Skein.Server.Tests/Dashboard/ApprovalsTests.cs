using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>Review → Approvals in a real browser: tabs, kind filter, answering in place.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ApprovalsTests(DashboardFixture fx)
{
    [Fact]
    public async Task A_pending_approval_is_answered_in_place_and_moves_to_the_completed_tab()
    {
        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"));
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/review/approvals");
        await page.GetByLabel("Kind").SelectOptionAsync("approval");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("kind=approval"));
        var card = page.Locator($".task:has(a[href='/sessions/{sessionId}'])");
        await Expect(card).ToContainTextAsync("Approve skein_demo_refund?");
        await page.EvaluateAsync("() => { window.__notReloaded = true; }");

        await card.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Expect(card).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the page reloaded");
        await fx.SessionInStatusAsync(sessionId, "Completed");

        await page.GetByRole(AriaRole.Link, new() { Name = "Completed" }).ClickAsync();
        await Expect(page.Locator($".task:has(a[href='/sessions/{sessionId}']) [data-outcome]"))
            .ToContainTextAsync("Rejected by operator:admin");
    }

    [Fact]
    public async Task The_kind_filter_hides_other_kinds()
    {
        var sessionId = await fx.StartAsync(await fx.AgentIdAsync("demo-hitl"));
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/review/approvals?kind=text");
        await Expect(page.Locator($".task:has(a[href='/sessions/{sessionId}'])")).ToHaveCountAsync(0);
        var kinds = await page.Locator(".task").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.kind)");
        Assert.All(kinds, k => Assert.Equal("text", k));
        await fx.Admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, TestContext.Current.CancellationToken);
    }
}
