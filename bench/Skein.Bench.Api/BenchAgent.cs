using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Bench.Api;

/// <summary>A scripted agent inserted into the server's store, with its api trigger and a key scoped to it.</summary>
public sealed record BenchAgent(Guid AgentId, Guid TriggerId, string ApiKey)
{
    /// <summary>Fixed token counts: the scripted model's estimate grows with history, which would trip token
    /// limits.</summary>
    private const int TurnTokens = 10;

    public static async Task<BenchAgent> CreateAsync(
        BenchServer server,
        AgentSpec spec,
        CancellationToken cancellationToken
    )
    {
        var created = await TestData.CreateAgentAsync(server.Contexts, spec, cancellationToken);
        using var put = await server.Admin.PutAsJsonAsync(
            $"/api/agents/{created.AgentId}/triggers/api",
            new { name = "api" },
            cancellationToken
        );
        put.EnsureSuccessStatusCode();
        var trigger = (await put.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

        using var key = await server.Admin.PostAsJsonAsync(
            "/api/keys",
            new
            {
                name = "bench-" + spec.Name,
                scopes = new[] { new { agentId = created.AgentId, triggerId = trigger } },
            },
            cancellationToken
        );
        key.EnsureSuccessStatusCode();
        var secret = (await key.Content.ReadFromJsonAsync<JsonElement>(cancellationToken))
            .GetProperty("secret")
            .GetString()
            ?? throw new InvalidOperationException("the key response has no secret");
        return new BenchAgent(created.AgentId, trigger, secret);
    }

    public static ScriptTurn Echo(int calls, int delayMs = 0) =>
        new()
        {
            Text = "Calling skein_echo.",
            ToolCalls =
            [
                .. Enumerable
                    .Range(0, calls)
                    .Select(i => new ScriptToolCall(
                        EchoTool.ToolName,
                        SkeinJson.Parse($$"""{"n":{{i}},"note":"bench"}""")
                    )),
            ],
            InputTokens = TurnTokens,
            OutputTokens = TurnTokens,
            DelayMs = delayMs,
        };

    public static ScriptTurn Says(string text, int delayMs = 0) =>
        new()
        {
            Text = text,
            InputTokens = TurnTokens,
            OutputTokens = TurnTokens,
            DelayMs = delayMs,
        };
}
