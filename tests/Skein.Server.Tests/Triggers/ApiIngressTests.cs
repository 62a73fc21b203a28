using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Triggers;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Triggers;

public sealed class ApiIngressTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Starts_through_the_api_trigger_and_their_refusals_are_in_its_ingress_log()
    {
        var agent = await TestData.CreateAgentAsync(
            Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            new AgentSpec(),
            Ct
        );
        var trigger = await Admin.PutAsJsonAsync($"/api/agents/{agent.AgentId}/triggers/api", new { rpmLimit = 1 }, Ct);
        var triggerId = (await trigger.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var api = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, new ApiScope(agent.AgentId, triggerId)));

        var started = await api.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { user = "ada", token = "tok-should-not-be-logged" } },
            Ct
        );
        var limited = await api.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { user = "bob" } },
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();

        var log = await Eventually.Get(
            async () =>
                (
                    await Admin.GetFromJsonAsync<JsonElement>(
                        $"/api/agents/{agent.AgentId}/triggers/{triggerId}/ingress",
                        Ct
                    )
                )
                    .GetProperty("items")
                    .EnumerateArray()
                    .ToList(),
            items => items.Count == 2,
            what: "two ingress entries"
        );

        Assert.Equal(
            [IngressOutcomes.Rejected, IngressOutcomes.Started],
            log.Select(e => e.GetProperty("outcome").GetString())
        );
        Assert.Contains("rate_limited", log[0].GetProperty("error").GetString());
        Assert.Equal(sessionId, log[1].GetProperty("sessionId").GetGuid());
        Assert.Equal("ada", log[1].GetProperty("payload").GetProperty("user").GetString());
        Assert.DoesNotContain("tok-should-not-be-logged", log[1].GetRawText());
    }
}
