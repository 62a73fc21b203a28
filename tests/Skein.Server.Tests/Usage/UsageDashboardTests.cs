using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Skein.Testing;

namespace Skein.Server.Tests.Usage;

/// <summary>
/// The dashboard shows cost next to tokens (session header, sessions tables, the agent page's cost per day) and
/// edits a provider's prices, over plain HTTP with a signed-in operator.
/// </summary>
public sealed partial class UsageDashboardTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private UsageModelFake _model = null!;

    public async ValueTask InitializeAsync() => _model = await UsageModelFake.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [StoreFact]
    public async Task Cost_shows_next_to_tokens_and_prices_are_edited_on_the_provider_form()
    {
        var client = await SignedInAsync();
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = "gpt-dash",
            }
        );
        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            var providerId = await db
                .Agents.Where(a => a.Id == agent.AgentId)
                .Select(a => a.LlmProviderId)
                .SingleAsync(Ct);
            var form = await client.GetStringAsync("/settings", Ct);
            var saved = await client.PostAsync(
                "/settings/editprovider",
                new FormUrlEncodedContent(
                    new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = TokenPattern().Match(form).Groups[1].Value,
                        ["providerId"] = providerId.ToString(),
                        ["providerBaseUrl"] = _model.BaseUrl,
                        ["providerPrices"] = "gpt-dash 2 8 1",
                    }
                ),
                Ct
            );
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }

        Assert.Contains("gpt-dash 2 8 1", await client.GetStringAsync("/settings", Ct));
        _model.Enqueue(new UsageReply("hello", null, new(1000, 100, 500)));
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
        var sessionId = (await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", Ct))
            .GetProperty("sessionId")
            .GetGuid();

        // (500 × 2 + 500 × 1 + 100 × 8) / 1e6 = $0.0023
        var session = WebUtility.HtmlDecode(await client.GetStringAsync($"/sessions/{sessionId}", Ct));
        Assert.Contains("<dd data-total-cost>$0.0023</dd>", session);
        Assert.Contains("data-usage>1000 input (500 cached) · 100 output · $0.0023", session);
        var agentPage = WebUtility.HtmlDecode(await client.GetStringAsync($"/agents/{agent.AgentId}?tab=sessions", Ct));
        Assert.Contains("<th scope=\"col\" class=\"num\">Cost</th>", agentPage);
        Assert.Contains("data-cost>$0.0023</td>", agentPage);
        Assert.Contains("cost today (UTC): $0.0023", agentPage);
    }

    private async Task<HttpClient> SignedInAsync()
    {
        var client = Server.CreateClient(
            new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }
        );
        var page = await client.GetStringAsync("/signin", Ct);
        var response = await client.PostAsync(
            "/signin",
            new FormUrlEncodedContent(
                new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = TokenPattern().Match(page).Groups[1].Value,
                    ["username"] = "admin",
                    ["password"] = SkeinApiFactory.AdminPassword,
                }
            ),
            Ct
        );
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    [GeneratedRegex(@"name=""__RequestVerificationToken"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();
}
