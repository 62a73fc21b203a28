using Skein.Testing;
using static Microsoft.Playwright.Assertions;

namespace Skein.Server.Tests.Dashboard;

/// <summary>The session view shows the model's text as it is generated (SPEC section 12), then the committed
/// step in its place.</summary>
[Collection(DashboardCollection.Name)]
public sealed class StreamingTextTests(DashboardFixture fx)
{
    [Fact]
    public async Task The_session_view_shows_model_text_as_it_arrives_then_the_committed_step()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        var ct = deadline.Token;
        await using var model = await StreamingModelServer.StartAsync(ct);
        var agent = await fx.AgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = model.BaseUrl,
                Model = "gpt-dashboard",
            }
        );
        var sessionId = await fx.StartAsync(agent.AgentId);
        var call = await model.Calls.ReadAsync(ct);
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"/sessions/{sessionId}");
        await Expect(page.Locator("#session-live[data-live=open]")).ToHaveCountAsync(1);

        await call.SendAsync("Generating ", ct);
        var streaming = page.Locator("li.step-streaming .model-text");
        await Expect(streaming).ToHaveTextAsync("Generating ");
        await call.SendAsync("in place.", ct);
        await Expect(streaming).ToHaveTextAsync("Generating in place.");
        await Expect(page.Locator("li[data-step-type=reasoning]")).ToHaveCountAsync(0);

        await call.FinishAsync(3, 3, ct);
        await Expect(page.Locator(".session-head .title-line .badge"))
            .ToHaveTextAsync("Completed", new() { Timeout = 20_000 });
        await Expect(page.Locator("li[data-step-type=reasoning] .model-text")).ToHaveTextAsync("Generating in place.");
        await Expect(page.Locator("li.step-streaming")).ToHaveCountAsync(0);
    }
}
