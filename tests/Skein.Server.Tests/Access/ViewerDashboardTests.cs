using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Skein.Server.Tests.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Access;

/// <summary>Roles in the dashboard (SPEC section 10): a Viewer is offered no action anywhere, and a post forged
/// with a valid antiforgery token is refused with a 403 problem all the same.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ViewerDashboardTests(DashboardFixture fx)
{
    private const string Password = "viewer-password-123";

    [Fact]
    public async Task A_viewer_sees_no_action_buttons_and_a_forced_post_gets_403()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"viewer-{Guid.NewGuid():N}@example.com";
        var created = await fx.Admin.PostAsJsonAsync(
            "/api/users",
            new
            {
                email,
                displayName = "Vera Viewer",
                role = "Viewer",
                password = Password,
            },
            ct
        );
        created.EnsureSuccessStatusCode();
        var agentId = await fx.AgentIdAsync("demo-hitl");
        var sessionId = await fx.StartAsync(agentId);
        await fx.SessionInStatusAsync(sessionId, "WaitingForHITL");

        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fx.BaseUrl });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel("User name").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("[data-user-role]")).ToHaveTextAsync("Viewer");

        // Home: the sessions' ⋯ menus are not offered.
        await Expect(page.Locator($"tr[data-session='{sessionId}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"tr[data-session='{sessionId}'] details.menu")).ToBeHiddenAsync();

        // The session waits for an approval: no Approve / Reject, no Terminate, no form but sign-out.
        foreach (var path in new[] { $"/sessions/{sessionId}", $"/agents/{agentId}", "/settings", "/review/approvals" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("form[method=post]:not(.signout)")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Deploy" })).ToHaveCountAsync(0);
        }

        await Expect(page.Locator("#members-link")).ToHaveCountAsync(0);
        var members = await page.GotoAsync("/settings/members");
        Assert.Equal(403, members?.Status);

        // A forged Terminate, with the page's own antiforgery token: 403 problem JSON, and nothing changed.
        await page.GotoAsync($"/sessions/{sessionId}");
        var answer = await page.EvaluateAsync<JsonElement>(
            """
            async (id) => {
                const token = document.querySelector("input[name=__RequestVerificationToken]").value;
                const response = await fetch("/sessions/" + id + "/terminate", {
                    method: "POST",
                    body: new URLSearchParams({ __RequestVerificationToken: token }),
                });
                const type = response.headers.get("content-type");
                return { status: response.status, type, body: await response.text() };
            }
            """,
            sessionId.ToString()
        );
        Assert.Equal(403, answer.GetProperty("status").GetInt32());
        Assert.StartsWith("application/problem+json", answer.GetProperty("type").GetString());
        Assert.Contains("urn:skein:error:forbidden", answer.GetProperty("body").GetString(), StringComparison.Ordinal);
        var session = await fx.SessionAsync(sessionId);
        Assert.Equal("WaitingForHITL", session.GetProperty("session").GetProperty("status").GetString());

        await context.CloseAsync();
        await fx.Admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, ct);
    }
}
