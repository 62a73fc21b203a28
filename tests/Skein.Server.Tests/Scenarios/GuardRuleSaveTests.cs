using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Scenarios;

public sealed class GuardRuleSaveTests(ApiServers servers) : ApiTests(servers)
{
    private const string PauseRule =
        """[{"id":"big","when":{"tool":"pay","arguments":[{"path":"amount","op":"gt","value":"""
        + """100}]},"then":"pause","reason":"big"}]""";

    private async Task<CreatedAgent> AgentAsync(ExecutionMode mode, VersionState state = VersionState.Testing)
    {
        _ = Server.Server;
        return await TestData.CreateAgentAsync(
            Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            new AgentSpec { Mode = mode, State = state },
            CancellationToken.None
        );
    }

    private Task<HttpResponseMessage> PutAsync(CreatedAgent agent, string rules) =>
        Server
            .CreateAdminClient()
            .PutAsync(
                $"/api/agents/{agent.AgentId}/versions/{agent.VersionId}/guard-rules",
                new StringContent(rules, Encoding.UTF8, "application/json"),
                TestContext.Current.CancellationToken
            );

    [StoreFact]
    public async Task A_pause_rule_is_rejected_at_save_for_a_request_agent()
    {
        var response = await PutAsync(await AgentAsync(ExecutionMode.Request), PauseRule);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e =>
            e.GetString()!.Contains("guardRules[0] (big)") && e.GetString()!.Contains("HITL")
        );
    }

    [StoreFact]
    public async Task A_pause_rule_is_accepted_for_a_hitl_agent()
    {
        var response = await PutAsync(await AgentAsync(ExecutionMode.HITL), PauseRule);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("pause", saved.GetProperty("guardRules")[0].GetProperty("then").GetString());
    }

    [StoreFact]
    public async Task A_rule_document_that_breaks_the_schema_names_the_path()
    {
        var response = await PutAsync(
            await AgentAsync(ExecutionMode.HITL),
            """[{"id":"x","when":{"tool":"pay"},"then":"explode"}]"""
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(
            "guardRules[0].then",
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)
        );
    }

    [StoreFact]
    public async Task A_deployed_version_is_read_only()
    {
        var response = await PutAsync(await AgentAsync(ExecutionMode.HITL, VersionState.Deployed), "[]");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}
