using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>Creates agents with an api trigger and a key scoped to it, through the management API.</summary>
public sealed class V1TestKit(SkeinApiFactory factory)
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    public sealed record ApiAgent(Guid AgentId, Guid TriggerId, string Key, HttpClient Client);

    public async Task<ApiAgent> CreateAsync(
        AgentSpec spec,
        object? triggerSettings = null,
        bool allowFileUploads = false
    )
    {
        // Make sure the host (and its seeded workspace) exists before writing to its store.
        _ = factory.Server;
        var agent = await TestData.CreateAgentAsync(
            factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>(),
            spec,
            CancellationToken.None
        );
        var trigger = await (
            await _admin.PutAsJsonAsync($"/api/agents/{agent.AgentId}/triggers/api", triggerSettings ?? new { })
        )
            .EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>();
        var triggerId = trigger.GetProperty("id").GetGuid();
        var key = await (
            await _admin.PostAsJsonAsync(
                "/api/keys",
                new
                {
                    name = spec.Name,
                    scopes = new[] { new { agentId = agent.AgentId, triggerId } },
                    allowFileUploads,
                }
            )
        ).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var secret = key.GetProperty("secret").GetString()!;
        return new ApiAgent(agent.AgentId, triggerId, secret, factory.CreateApiClient(secret));
    }

    public Task<HttpResponseMessage> UpdateTriggerAsync(Guid agentId, object settings) =>
        _admin.PutAsJsonAsync($"/api/agents/{agentId}/triggers/api", settings);

    public static async Task<JsonElement> StartAsync(HttpClient client, Guid agentId, object? input = null)
    {
        var response = await client.PostAsJsonAsync($"/v1/agents/{agentId}/runs", new { input = input ?? new { } });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static Task<JsonElement> WaitForRunAsync(HttpClient client, Guid runId, params string[] statuses) =>
        Eventually.Get(
            () => client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}"),
            r => statuses.Contains(r.GetProperty("status").GetString()),
            what: $"run {runId} to reach {string.Join("|", statuses)}"
        );
}
