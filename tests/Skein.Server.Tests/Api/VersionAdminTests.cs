using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.Api;

/// <summary>The live line over HTTP: create, edit, deploy, rollback, retract, and what runs use afterwards.</summary>
public sealed class VersionAdminTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Deploy_rollback_and_retract_move_the_live_line_and_runs_follow_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var agentId = await AgentIdAsync("demo", ct);
        var v1 = (await VersionsAsync(agentId, ct))
            .Single(v => v.GetProperty("state").GetString() == "Deployed")
            .GetProperty("id")
            .GetGuid();

        var create = await Admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/versions",
            new { settings = new { description = "sharper", temperature = 0.1 } },
            ct
        );
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var v2 = await create.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("Testing", v2.GetProperty("state").GetString());
        Assert.Equal(0.1, v2.GetProperty("temperature").GetDouble());
        var v2Id = v2.GetProperty("id").GetGuid();

        var edit = await Admin.PutAsJsonAsync(
            $"/api/agents/{agentId}/versions/{v2Id}",
            new { instructions = "Be brief." },
            ct
        );
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        Assert.Equal(
            "sharper",
            (await edit.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("description").GetString()
        );

        Assert.Equal(
            HttpStatusCode.OK,
            (await Admin.PostAsync($"/api/agents/{agentId}/versions/{v2Id}/deploy", null, ct)).StatusCode
        );
        Assert.Equal(v2Id, await DeployedAsync(agentId, ct));
        Assert.Equal(v2Id, await StartedVersionAsync(agentId, ct));

        // Deployed versions are read-only.
        var readOnly = await Admin.PutAsJsonAsync(
            $"/api/agents/{agentId}/versions/{v2Id}",
            new { instructions = "changed" },
            ct
        );
        Assert.Equal(HttpStatusCode.Conflict, readOnly.StatusCode);
        Assert.Equal("application/problem+json", readOnly.Content.Headers.ContentType?.MediaType);

        Assert.Equal(
            HttpStatusCode.OK,
            (await Admin.PostAsync($"/api/agents/{agentId}/rollback", null, ct)).StatusCode
        );
        Assert.Equal(v1, await DeployedAsync(agentId, ct));
        Assert.Equal(v1, await StartedVersionAsync(agentId, ct));

        Assert.Equal(
            HttpStatusCode.OK,
            (await Admin.PostAsync($"/api/agents/{agentId}/versions/{v1}/retract", null, ct)).StatusCode
        );
        Assert.Null(await DeployedAsync(agentId, ct));
        var noLive = await Admin.PostAsJsonAsync($"/api/agents/{agentId}/runs", new { input = new { } }, ct);
        Assert.True(
            noLive.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.BadRequest,
            $"got {noLive.StatusCode}"
        );

        // Leave the shared fixture as it was for the other tests.
        Assert.Equal(
            HttpStatusCode.OK,
            (await Admin.PostAsync($"/api/agents/{agentId}/versions/{v1}/deploy", null, ct)).StatusCode
        );
    }

    [StoreFact]
    public async Task An_invalid_draft_is_a_400_naming_the_field()
    {
        var ct = TestContext.Current.CancellationToken;
        var agentId = await AgentIdAsync("demo-hitl", ct);
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agentId}/versions",
            new { settings = new { temperature = 3 } },
            ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("temperature: must be between 0 and 2", await response.Content.ReadAsStringAsync(ct));
    }

    private async Task<Guid> AgentIdAsync(string name, CancellationToken ct)
    {
        var agents = await Admin.GetFromJsonAsync<JsonElement>("/api/agents", ct);
        return agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == name)
            .GetProperty("id")
            .GetGuid();
    }

    private async Task<List<JsonElement>> VersionsAsync(Guid agentId, CancellationToken ct) =>
        [
            .. (await Admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/versions", ct))
                .GetProperty("items")
                .EnumerateArray(),
        ];

    private async Task<Guid?> DeployedAsync(Guid agentId, CancellationToken ct) =>
        (await VersionsAsync(agentId, ct))
            .Where(v => v.GetProperty("state").GetString() == "Deployed")
            .Select(v => (Guid?)v.GetProperty("id").GetGuid())
            .SingleOrDefault();

    private async Task<Guid> StartedVersionAsync(Guid agentId, CancellationToken ct)
    {
        var started = await Admin.PostAsJsonAsync($"/api/agents/{agentId}/runs", new { input = new { } }, ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("sessionId").GetGuid();
        var session = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", ct);
        return session.GetProperty("session").GetProperty("agentVersionId").GetGuid();
    }
}
