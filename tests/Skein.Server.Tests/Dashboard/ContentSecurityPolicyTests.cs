using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The Content-Security-Policy (issue #15 item 18) in a real browser: the dashboard and the API reference
/// work under it, and the browser reports no violation.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ContentSecurityPolicyTests(DashboardFixture fx)
{
    private static List<string> Violations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        return violations;
    }

    [Fact]
    public async Task The_dashboard_pages_run_under_the_policy_without_violations()
    {
        var page = await fx.NewPageAsync();
        var violations = Violations(page);

        foreach (var path in new[] { "/", "/agents", "/review/approvals", "/settings" })
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        // The status filter submits on change from dashboard.js (it used an inline handler before).
        await page.GotoAsync("/");
        await page.GetByLabel("Status").SelectOptionAsync("Completed");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status=Completed"));
        Assert.Empty(violations);
    }

    [Fact]
    public async Task The_api_reference_renders_under_its_own_policy()
    {
        var page = await fx.NewPageAsync();
        var violations = Violations(page);

        await page.GotoAsync("/docs");

        // Scalar's bundle is large: on a busy machine it renders after the default five seconds.
        await Expect(page.Locator(".references-rendered")).ToBeAttachedAsync(new() { Timeout = 60_000 });
        Assert.Empty(violations);
    }
}
