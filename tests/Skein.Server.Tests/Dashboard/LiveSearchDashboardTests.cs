using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>A list narrowed by a text search (<c>q</c>) stays live (issue #17): new sessions that match the whole
/// filter appear without a reload, on Home and on the agent's Sessions tab, and the others stay out.</summary>
[Collection(DashboardCollection.Name)]
public sealed class LiveSearchDashboardTests(DashboardFixture fx)
{
    [Fact]
    public async Task New_sessions_matching_the_search_appear_live_and_others_stay_out()
    {
        var word = "live" + Guid.NewGuid().ToString("N")[..10];
        var agent = await fx.QuickAgentAsync();
        var other = await fx.QuickAgentAsync();

        var home = await fx.NewPageAsync();
        await home.GotoAsync($"/?q={word}&agentId={agent.AgentId}");
        var tab = await fx.NewPageAsync();
        await tab.GotoAsync($"/agents/{agent.AgentId}?tab=sessions&q={word}");
        foreach (var page in new[] { home, tab })
        {
            await Expect(page.Locator("table.sessions[data-live=open]")).ToHaveCountAsync(1);
            await Expect(page.Locator("p.empty")).ToContainTextAsync("No sessions match");
        }

        // Started one after another, so by the time the match shows its final status the feed has judged the rest.
        var otherAgent = await fx.StartAsync(other.AgentId, new { text = $"about {word}" });
        await fx.SessionInStatusAsync(otherAgent, "Completed");
        var otherText = await fx.StartAsync(agent.AgentId, new { text = "something else" });
        await fx.SessionInStatusAsync(otherText, "Completed");
        var match = await fx.StartAsync(agent.AgentId, new { text = $"please look at {word}" });
        await fx.SessionInStatusAsync(match, "Completed");

        foreach (var page in new[] { home, tab })
        {
            await Expect(page.Locator($"#s-{match}")).ToHaveAttributeAsync("data-status", "Completed");
            await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(1);
            await Expect(page.Locator($"#s-{otherAgent}")).ToHaveCountAsync(0);
            await Expect(page.Locator($"#s-{otherText}")).ToHaveCountAsync(0);
            await Expect(page.Locator("p.empty")).ToBeHiddenAsync();
        }
    }
}
