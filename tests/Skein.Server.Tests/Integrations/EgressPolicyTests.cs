using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Integrations;

/// <summary>
/// With <c>Skein:Egress:AllowPrivateNetworks</c> off (the default outside the test kit), loopback, private and
/// link-local destinations are refused when configured and again when a call connects.
/// </summary>
public sealed class EgressPolicyTests(ApiServers servers) : ApiTests(servers)
{
    private static async Task<SkeinApiFactory> PolicyOnAsync()
    {
        var server = await SkeinApiFactory.FreshAsync();
        server.Settings["Skein:Egress:AllowPrivateNetworks"] = "false";
        return server;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string? baseUrl = null)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{baseUrl}: {(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("urn:skein:error:egress_refused", problem.GetProperty("type").GetString());
        Assert.Contains("Skein__Egress__AllowPrivateNetworks", problem.GetProperty("detail").GetString());
    }

    // One server for every address: a fresh server per address cost a start each, for one validation.
    [StoreFact]
    public async Task A_private_integration_or_provider_base_url_is_refused_on_write()
    {
        await using var server = await PolicyOnAsync();

        foreach (
            var baseUrl in (string[])
                [
                    "http://localhost:8080",
                    "http://127.0.0.1:9",
                    "http://169.254.169.254/latest",
                    "http://10.1.2.3",
                    "http://[::1]:8080",
                    "http://100.64.0.1",
                ]
        )
        {
            await AssertRefusedAsync(
                await server.Admin.PostAsJsonAsync(
                    "/api/integrations",
                    new { name = "internal-" + Guid.NewGuid().ToString("N")[..6], baseUrl },
                    Ct
                ),
                baseUrl
            );
            await AssertRefusedAsync(
                await server.Admin.PostAsJsonAsync(
                    "/api/providers",
                    new
                    {
                        name = "internal-" + Guid.NewGuid().ToString("N")[..6],
                        kind = "openai",
                        baseUrl,
                    },
                    Ct
                ),
                baseUrl
            );
        }
    }

    [StoreFact]
    public async Task A_public_base_url_is_accepted_with_the_policy_on()
    {
        await using var server = await PolicyOnAsync();

        var response = await server.Admin.PostAsJsonAsync(
            "/api/integrations",
            new { name = "public-" + Guid.NewGuid().ToString("N")[..6], baseUrl = "https://api.example.com/v1" },
            Ct
        );

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [StoreFact]
    public async Task A_tool_call_to_a_name_that_resolves_to_loopback_is_refused_at_connect()
    {
        await using var server = await PolicyOnAsync();
        await using var receiver = await RecordingServer.StartAsync(Ct);
        var port = new Uri(receiver.BaseUrl).Port;

        // Written around the configuration check, as a row stored before the policy or a name re-pointed later
        // (DNS rebinding) would be: the connection itself must refuse.
        await TestData.AddOperationAsync(
            server.Contexts,
            new OperationSpec("peek", $"http://localhost:{port}", "GET", "/internal"),
            Ct
        );
        var agent = await server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = ["peek"],
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls = [new ScriptToolCall("peek", JsonSerializer.SerializeToElement(new { }))],
                    },
                    new ScriptTurn { Text = "done" },
                ],
            },
            new { active = true }
        );

        var run = await Runs.StartAsync(agent.Client, agent.AgentId);
        var runId = run.GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);

        var result = conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("content")
            .GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Contains("Skein__Egress__AllowPrivateNetworks", result.GetProperty("error").GetString());
        Assert.Empty(receiver.Requests);
    }

    [StoreFact]
    public async Task A_model_provider_on_loopback_is_refused_at_connect()
    {
        await using var server = await PolicyOnAsync();
        await using var receiver = await RecordingServer.StartAsync(Ct);
        var agent = await server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = $"http://localhost:{new Uri(receiver.BaseUrl).Port}/v1",
                Model = "gpt-test",
            },
            new { active = true }
        );

        var run = await Runs.StartAsync(agent.Client, agent.AgentId);
        var done = await Runs.WaitForAsync(agent.Client, run.GetProperty("runId").GetGuid(), "Completed", "Failed");

        Assert.Equal("Failed", done.GetProperty("status").GetString());
        Assert.Contains("Skein__Egress__AllowPrivateNetworks", done.GetProperty("error").GetString());
        Assert.Empty(receiver.Requests);
    }
}
