using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The question a destructive dashboard action asks first (dashboard.js, <c>data-confirm</c>).</summary>
public static class ConfirmDialog
{
    public static ILocator Of(IPage page) => page.Locator("#confirm-dialog");

    /// <summary>Waits for the question, checks it, and agrees.</summary>
    public static async Task AcceptAsync(IPage page, string? question = null)
    {
        var dialog = Of(page);
        await Expect(dialog).ToBeVisibleAsync();
        if (question is not null)
        {
            await Expect(dialog.Locator("h2")).ToContainTextAsync(question);
        }

        await dialog.Locator("[data-confirm-ok]").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }
}
