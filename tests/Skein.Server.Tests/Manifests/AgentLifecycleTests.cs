using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Manifests;

/// <summary>POST/GET/DELETE /api/agents: an agent cannot be deleted while a version is deployed.</summary>
public sealed class AgentLifecycleTests(SkeinApiFactory factory) : IClassFixture<SkeinApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    [Fact]
    public async Task An_agent_is_created_read_and_deleted_once_nothing_is_deployed()
    {
        var ct = TestContext.Current.CancellationToken;
        var created = await _admin.PostAsJsonAsync(
            "/api/agents",
            new { name = "lifecycle-agent", executionMode = "HITL" },
            ct
        );
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        var duplicate = await _admin.PostAsJsonAsync("/api/agents", new { name = "lifecycle-agent" }, ct);
        var read = await _admin.GetFromJsonAsync<JsonElement>($"/api/agents/{id}", ct);

        var deleted = await _admin.DeleteAsync($"/api/agents/{id}", ct);
        var gone = await _admin.GetAsync($"/api/agents/{id}", ct);

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("HITL", read.GetProperty("executionMode").GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task An_agent_with_a_deployed_version_cannot_be_deleted()
    {
        await ManifestClient.ChangesAsync(
            await ManifestClient.ApplyAsync(_admin, ManifestClient.Minimal("deployed-agent"))
        );
        var id = (await ManifestClient.AgentIdAsync(_admin, "deployed-agent"))!.Value;

        var response = await _admin.DeleteAsync($"/api/agents/{id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("retract", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(await ManifestClient.AgentIdAsync(_admin, "deployed-agent"));
    }

    [Fact]
    public async Task Bad_agent_input_is_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        var noName = await _admin.PostAsJsonAsync("/api/agents", new { executionMode = "Request" }, ct);
        var badMode = await _admin.PostAsJsonAsync("/api/agents", new { name = "x", executionMode = "Batch" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
    }
}
