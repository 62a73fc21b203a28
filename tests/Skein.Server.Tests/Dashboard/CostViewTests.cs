using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Engine.Tools;
using Skein.Server.Tests.Usage;
using Skein.Store;
using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>
/// Cost in the browser (SPEC section 12, issue #18): a session whose provider has prices shows its cost on the Home
/// row (arriving through the live feed), in the session view per model step and in total, and on the agent page as
/// the cost per day.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class CostViewTests(DashboardFixture fx)
{
    private const string Model = "gpt-priced";

    [Fact]
    public async Task A_priced_session_shows_its_cost_on_home_in_the_session_view_and_per_day_on_the_agent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var model = await UsageModelFake.StartAsync(ct);
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = model.BaseUrl,
                Model = Model,
                Operations = [EchoTool.ToolName],
            }
        );
        await PriceAsync(agent.AgentId, ct);
        model.Enqueue(
            new UsageReply(null, new ReplyToolCall("call_1", EchoTool.ToolName, """{"n":1}"""), new(1000, 50, 400)),
            new UsageReply("done", null, new(1200, 20, 1000))
        );

        // Home is open before the session starts: its row arrives, and is updated, through the live feed.
        var page = await fx.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("table.sessions[data-live=open]")).ToHaveCountAsync(1);
        var sessionId = await fx.StartAsync(agent.AgentId);
        await fx.SessionInStatusAsync(sessionId, "Completed");
        // (600 × 2.5 + 400 × 1.25 + 50 × 10) / 1e6 + (200 × 2.5 + 1000 × 1.25 + 20 × 10) / 1e6
        await Expect(page.Locator($"#s-{sessionId} [data-cost]")).ToHaveTextAsync("$0.00445");

        await page.GotoAsync($"/sessions/{sessionId}");
        await Expect(page.Locator("[data-total-cost]")).ToHaveTextAsync("$0.00445");
        var usage = page.Locator("li[data-step-type=reasoning] [data-usage]");
        await Expect(usage)
            .ToHaveTextAsync([
                "1000 input (400 cached) · 50 output · $0.0025",
                "1200 input (1000 cached) · 20 output · $0.00195",
            ]);
        await Expect(page.Locator("[data-run-cost]")).ToHaveTextAsync("$0.00445");

        // Today's cost heads every tab; the Sessions tab has the cost per day and the session's row.
        await page.GotoAsync($"/agents/{agent.AgentId}?tab=sessions");
        await Expect(page.Locator("[data-cost-today]")).ToHaveTextAsync("cost today (UTC): $0.00445");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator($"[data-daily-cost] tr[data-day='{today}'] [data-cost]")).ToHaveTextAsync("$0.00445");
        await Expect(page.Locator($"#s-{sessionId} [data-cost]")).ToHaveTextAsync("$0.00445");
    }

    private async Task PriceAsync(Guid agentId, CancellationToken ct)
    {
        var contexts = fx.Factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var providerId = await db.Agents.Where(a => a.Id == agentId).Select(a => a.LlmProviderId).SingleAsync(ct);
        var put = await fx.Admin.PutAsJsonAsync(
            $"/api/providers/{providerId}",
            new
            {
                prices = new Dictionary<string, object>
                {
                    [Model] = new
                    {
                        inputPerMTok = 2.5m,
                        outputPerMTok = 10m,
                        cachedInputPerMTok = 1.25m,
                    },
                },
            },
            ct
        );
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }
}
