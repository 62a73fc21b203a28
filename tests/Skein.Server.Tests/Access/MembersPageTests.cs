using Microsoft.Playwright;
using Skein.Server.Tests.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Access;

/// <summary>Settings → Members, Profile and Audit in a real browser, as the Admin: a member is added with a role,
/// a token created on the profile is shown once, and both show up in the audit log. With SKEIN_SCREENSHOT_DIR set,
/// the three screens are kept for docs/images.</summary>
[Collection(DashboardCollection.Name)]
public sealed class MembersPageTests(DashboardFixture fx)
{
    [Fact]
    public async Task An_admin_adds_a_member_creates_a_token_and_finds_both_in_the_audit_log()
    {
        var dir = Environment.GetEnvironmentVariable("SKEIN_SCREENSHOT_DIR") is { Length: > 0 } d
            ? d
            : Directory.CreateTempSubdirectory("skein-shots").FullName;
        var email = $"ops-{Guid.NewGuid():N}"[..12] + "@example.com";
        var page = await fx.NewPageAsync(1280, 860);

        await page.GotoAsync("/settings");
        await page.Locator("#members-link").ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Members");
        var form = page.Locator("#new-member");
        await form.GetByLabel("Email").FillAsync(email);
        await form.GetByLabel("Display name").FillAsync("Olga Operator");
        await form.GetByLabel("Role").SelectOptionAsync("Operator");
        await form.GetByLabel("Initial password").FillAsync("operator-password-1");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{email} added as Operator");
        var row = page.Locator($"tr[data-user='{email}']");
        await Expect(row.Locator("[data-user-status]")).ToHaveTextAsync("active");
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "members.png"), FullPage = true });

        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(page.Locator($"tr[data-user='{email}'] [data-user-status]")).ToHaveTextAsync("disabled");

        await page.GotoAsync("/profile");
        await Expect(page.Locator("[data-my-role]")).ToHaveTextAsync("Admin");
        await page.GetByLabel("Token name").FillAsync("laptop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.Locator("[data-created-secret] code")).ToContainTextAsync("skt_");
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "profile.png"), FullPage = true });

        await page.GotoAsync("/audit?actor=operator:admin");
        await Expect(page.Locator("[data-action='user.created']").First).ToContainTextAsync(email);
        await Expect(page.Locator("[data-action='user.updated']").First).ToContainTextAsync("disabled");
        await Expect(page.Locator("[data-action='user.token_created']").First).ToContainTextAsync("laptop");
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, "audit.png") });
    }
}
