using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.MultiAgent;

/// <summary>Multi-agent wiring on versions (SPEC section 9) over the management API, and SubAgent agents refused as
/// starts on every route.</summary>
public sealed class SubAgentWiringTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_version_lists_sub_agents_only_when_the_rules_hold()
    {
        var parent = await CreateAgentAsync("Request");
        var child = await CreateAgentAsync("SubAgent");
        var plain = await CreateAgentAsync("Request");

        // A SubAgent's version needs a description: the parent's model sees it as the tool description.
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await CreateVersionAsync(child, new { model = "scripted" })).StatusCode
        );
        var childVersion = await CreateVersionAsync(child, new { description = "Finds facts" });
        Assert.Equal(HttpStatusCode.Created, childVersion.StatusCode);

        await AssertRefusedAsync(parent, new { canExecuteSubAgents = false, allowedSubAgents = new[] { child } });
        await AssertRefusedAsync(parent, new { canExecuteSubAgents = true, allowedSubAgents = new[] { plain } });
        await AssertRefusedAsync(parent, new { canExecuteSubAgents = true, allowedSubAgents = new[] { parent } });
        await AssertRefusedAsync(
            parent,
            new { canExecuteSubAgents = true, allowedSubAgents = Enumerable.Repeat(child, 6).ToArray() }
        );

        var wired = await CreateVersionAsync(
            parent,
            new
            {
                canExecuteSubAgents = true,
                allowedSubAgents = new[] { child },
                subAgentExecutionModel = "Parallel",
            }
        );
        Assert.Equal(HttpStatusCode.Created, wired.StatusCode);
        var body = await wired.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("canExecuteSubAgents").GetBoolean());
        Assert.Equal(child, body.GetProperty("allowedSubAgents")[0].GetGuid());
        Assert.Equal("Parallel", body.GetProperty("subAgentExecutionModel").GetString());

        // While a version lists it, the sub-agent stays a SubAgent and is not deleted.
        var mode = await Admin.PutAsJsonAsync(
            $"/api/agents/{child}/execution-mode",
            new { executionMode = "Request" },
            Ct
        );
        Assert.Equal(HttpStatusCode.Conflict, mode.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.DeleteAsync($"/api/agents/{child}", Ct)).StatusCode);
    }

    [StoreFact]
    public async Task A_new_version_defaults_to_sequential_with_sub_agents_off()
    {
        var agent = await CreateAgentAsync("Request");

        var created = await CreateVersionAsync(agent, new { description = "plain" });

        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(body.GetProperty("canExecuteSubAgents").GetBoolean());
        Assert.Equal(0, body.GetProperty("allowedSubAgents").GetArrayLength());
        Assert.Equal("Sequential", body.GetProperty("subAgentExecutionModel").GetString());
    }

    [StoreFact]
    public async Task A_sub_agent_is_not_startable_by_a_test_run_or_v1()
    {
        var parent = await Server.CreateApiAgentAsync(
            new AgentSpec { Name = "parent-" + Guid.NewGuid().ToString("N")[..8] }
        );
        var child = await CreateAgentAsync("SubAgent");
        var childVersion = await (
            await CreateVersionAsync(child, new { description = "helps" })
        ).Content.ReadFromJsonAsync<JsonElement>(Ct);
        await DeployAsync(child, childVersion.GetProperty("id").GetGuid());
        var parentVersion = await (
            await CreateVersionAsync(
                parent.AgentId,
                new { canExecuteSubAgents = true, allowedSubAgents = new[] { child } }
            )
        ).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(JsonValueKind.String, parentVersion.GetProperty("id").ValueKind);

        var testRun = await Admin.PostAsJsonAsync($"/api/agents/{child}/runs", new { input = new { } }, Ct);
        await AssertNotStartableAsync(testRun);

        // A key scoped to a parent learns why; any other key learns nothing.
        var viaParentKey = await parent.Client.PostAsJsonAsync($"/v1/agents/{child}/runs", new { input = new { } }, Ct);
        await AssertNotStartableAsync(viaParentKey);
        var viaOtherKey = await Server
            .CreateApiClient()
            .PostAsJsonAsync($"/v1/agents/{child}/runs", new { input = new { } }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, viaOtherKey.StatusCode);

        // No trigger of any type either.
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.UpdateApiTriggerAsync(child, new { })).StatusCode);
    }

    private static async Task AssertNotStartableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(
            "urn:skein:error:subagent_not_startable",
            JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()
        );
    }

    private async Task AssertRefusedAsync(Guid agentId, object settings)
    {
        var response = await CreateVersionAsync(agentId, settings);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("allowedSubAgents", body);
    }

    private async Task<Guid> CreateAgentAsync(string mode)
    {
        var response = await Admin.PostAsJsonAsync(
            "/api/agents",
            new { name = $"{mode.ToLowerInvariant()}-{Guid.NewGuid():N}"[..24], executionMode = mode },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    private Task<HttpResponseMessage> CreateVersionAsync(Guid agentId, object settings) =>
        Admin.PostAsJsonAsync($"/api/agents/{agentId}/versions", new { settings }, Ct);

    private async Task DeployAsync(Guid agentId, Guid versionId) =>
        Assert.Equal(
            HttpStatusCode.OK,
            (await Admin.PostAsync($"/api/agents/{agentId}/versions/{versionId}/deploy", null, Ct)).StatusCode
        );
}
