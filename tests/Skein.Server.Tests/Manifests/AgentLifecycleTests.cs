using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Manifests;

/// <summary>POST/GET/DELETE /api/agents: an agent cannot be deleted while a version is deployed.</summary>
public sealed class AgentLifecycleTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task An_agent_is_created_read_and_deleted_once_nothing_is_deployed()
    {
        var ct = TestContext.Current.CancellationToken;
        var created = await Admin.PostAsJsonAsync(
            "/api/agents",
            new { name = "lifecycle-agent", executionMode = "HITL" },
            ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        var duplicate = await Admin.PostAsJsonAsync("/api/agents", new { name = "lifecycle-agent" }, ct);
        var read = await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{id}", ct);

        var deleted = await Admin.DeleteAsync($"/api/agents/{id}", ct);
        var gone = await Admin.GetAsync($"/api/agents/{id}", ct);

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("HITL", read.GetProperty("executionMode").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [StoreFact]
    public async Task An_agent_with_a_deployed_version_cannot_be_deleted()
    {
        await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(Admin, ManifestClient.Minimal("deployed-agent"))
        );
        var id = (await ManifestClient.AgentIdAsync(Admin, "deployed-agent"))!.Value;

        var response = await Admin.DeleteAsync($"/api/agents/{id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("retract", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(await ManifestClient.AgentIdAsync(Admin, "deployed-agent"));
    }

    [StoreFact]
    public async Task Bad_agent_input_is_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        var noName = await Admin.PostAsJsonAsync("/api/agents", new { executionMode = "Request" }, ct);
        var badMode = await Admin.PostAsJsonAsync("/api/agents", new { name = "x", executionMode = "Batch" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
    }
}
