using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests;

/// <summary>An agent reachable through the public API: its id and the id of its api trigger.</summary>
public sealed record ApiAgent(Guid AgentId, Guid TriggerId);

/// <summary>Arranges public-API scenarios through the management API, as an operator would.</summary>
public static class ApiSetup
{
    public static async Task<ApiAgent> DemoAgentAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        var agents = await admin.GetFromJsonAsync<JsonElement>("/api/agents", cancellationToken);
        var agentId = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo")
            .GetProperty("id")
            .GetGuid();
        var triggers = await admin.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/triggers", cancellationToken);
        var triggerId = triggers
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "api")
            .GetProperty("id")
            .GetGuid();
        return new ApiAgent(agentId, triggerId);
    }

    /// <summary>A multi-turn agent whose scripted model answers twice, then runs out of script.</summary>
    public static async Task<ApiAgent> MultiTurnAgentAsync(
        SkeinApiFactory factory,
        HttpClient admin,
        CancellationToken cancellationToken
    )
    {
        var contexts = factory.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var created = await TestData.CreateAgentAsync(
            contexts,
            new AgentSpec
            {
                Name = "chat-" + Guid.NewGuid().ToString("N")[..8],
                Conversation = ConversationMode.MultiTurn,
                Script =
                [
                    new ScriptTurn { Text = "Hello! What can I do for you?" },
                    new ScriptTurn { Text = "Noted, thank you." },
                ],
            },
            cancellationToken
        );
        var response = await admin.PutAsJsonAsync(
            $"/api/agents/{created.AgentId}/triggers/api",
            new { active = true },
            cancellationToken
        );
        response.EnsureSuccessStatusCode();
        var trigger = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new ApiAgent(created.AgentId, trigger.GetProperty("id").GetGuid());
    }

    /// <summary>Creates an API key scoped to the agents' api triggers and returns its secret.</summary>
    public static async Task<string> KeyForAsync(
        HttpClient admin,
        CancellationToken cancellationToken,
        params ApiAgent[] agents
    )
    {
        var response = await admin.PostAsJsonAsync(
            "/api/keys",
            new
            {
                name = "key-" + Guid.NewGuid().ToString("N")[..8],
                scopes = agents.Select(a => new { agentId = a.AgentId, triggerId = a.TriggerId }),
                allowFileUploads = false,
            },
            cancellationToken
        );
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return created.GetProperty("secret").GetString()
            ?? throw new InvalidOperationException("the created key has no secret");
    }
}
