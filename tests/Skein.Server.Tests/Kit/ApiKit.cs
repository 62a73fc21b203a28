using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests;

/// <summary>An agent's api trigger: what an API key is scoped to.</summary>
public sealed record ApiScope(Guid AgentId, Guid TriggerId);

/// <summary>An agent reachable through the public API: its api trigger, a key scoped to it and a client sending
/// that key.</summary>
public sealed record ApiAgent(Guid AgentId, Guid TriggerId, string Key, HttpClient Client)
{
    public ApiScope Scope => new(AgentId, TriggerId);
}

/// <summary>API keys, created through the management API as an operator would.</summary>
public static class ApiKeys
{
    /// <summary>Creates a key scoped to the triggers and returns its secret.</summary>
    public static Task<string> CreateAsync(HttpClient admin, params ApiScope[] scopes) =>
        CreateAsync(admin, "key-" + Guid.NewGuid().ToString("N")[..8], allowFileUploads: false, scopes);

    public static async Task<string> CreateAsync(
        HttpClient admin,
        string name,
        bool allowFileUploads,
        params ApiScope[] scopes
    )
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var response = await admin.PostAsJsonAsync(
            "/api/keys",
            new
            {
                name,
                scopes = scopes.Select(s => new { agentId = s.AgentId, triggerId = s.TriggerId }),
                allowFileUploads,
            },
            cancellationToken
        );
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return created.GetProperty("secret").GetString()
            ?? throw new InvalidOperationException("the created key has no secret");
    }
}

/// <summary>Starting runs over <c>/v1</c> and waiting for them, with a deadline.</summary>
public static class Runs
{
    /// <summary>Starts a run (202 expected) and returns the answer.</summary>
    public static async Task<JsonElement> StartAsync(HttpClient client, Guid agentId, object? input = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var response = await client.PostAsJsonAsync(
            $"/v1/agents/{agentId}/runs",
            new { input = input ?? new { } },
            cancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Polls <c>/v1/runs/{id}</c> until the run is in one of <paramref name="statuses"/>.</summary>
    public static Task<JsonElement> WaitForAsync(HttpClient client, Guid runId, params string[] statuses) =>
        Eventually.Get(
            () => client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", TestContext.Current.CancellationToken),
            r => statuses.Contains(r.GetProperty("status").GetString()),
            what: $"run {runId} to reach {string.Join("|", statuses)}"
        );
}
