using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

public sealed class V1AdmissionTests(ApiServers servers) : ApiTests(servers)
{
    private static AgentSpec Quick() => new() { Script = [new() { Text = "ok" }] };

    private static AgentSpec Parked() =>
        new()
        {
            Operations = [PhronyWaitTool.ToolName],
            Script =
            [
                new()
                {
                    ToolCalls =
                    [
                        new ScriptToolCall(
                            PhronyWaitTool.ToolName,
                            JsonSerializer.SerializeToElement(new { seconds = 120 })
                        ),
                    ],
                },
                new() { Text = "woke" },
            ],
        };

    private static Task<HttpResponseMessage> StartAsync(ApiAgent agent, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/agents/{agent.AgentId}/runs")
        {
            Content = JsonContent.Create(new { input = new { } }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return agent.Client.SendAsync(request);
    }

    [StoreFact]
    public async Task Starts_over_the_triggers_requests_per_minute_get_429_with_retry_after()
    {
        var agent = await Server.CreateApiAgentAsync(Quick(), new { rpmLimit = 2 });

        Assert.Equal(HttpStatusCode.Accepted, (await StartAsync(agent)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await StartAsync(agent)).StatusCode);
        var limited = await StartAsync(agent);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task Starts_over_the_triggers_max_concurrent_runs_get_429()
    {
        var agent = await Server.CreateApiAgentAsync(Parked(), new { maxConcurrentRuns = 1 });

        var first = await (await StartAsync(agent)).Content.ReadFromJsonAsync<JsonElement>(
            TestContext.Current.CancellationToken
        );
        var second = await StartAsync(agent);

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        await Runs.WaitForAsync(agent.Client, first.GetProperty("runId").GetGuid(), "WaitingForTimer");
        await agent.Client.PostAsync(
            $"/v1/runs/{first.GetProperty("runId").GetGuid()}/skip-agent-wait",
            null,
            TestContext.Current.CancellationToken
        );
        await Runs.WaitForAsync(agent.Client, first.GetProperty("runId").GetGuid(), "Completed");
        Assert.Equal(HttpStatusCode.Accepted, (await StartAsync(agent)).StatusCode);
    }

    [StoreFact]
    public async Task A_repeated_idempotency_key_returns_the_first_response_and_starts_one_session()
    {
        var agent = await Server.CreateApiAgentAsync(Quick());

        var first = await (await StartAsync(agent, "order-42")).Content.ReadFromJsonAsync<JsonElement>(
            TestContext.Current.CancellationToken
        );
        var repeat = await StartAsync(agent, "order-42");

        Assert.Equal(HttpStatusCode.Accepted, repeat.StatusCode);
        var again = await repeat.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(first.GetProperty("sessionId").GetGuid(), again.GetProperty("sessionId").GetGuid());
        Assert.Equal(first.GetProperty("runId").GetGuid(), again.GetProperty("runId").GetGuid());
        var list = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/agents/{agent.AgentId}/sessions",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [StoreFact]
    public async Task A_client_outside_the_ip_allowlist_is_403()
    {
        var agent = await Server.CreateApiAgentAsync(Quick(), new { ipAllowlist = new[] { "203.0.113.0/24" } });
        var response = await StartAsync(agent);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "ip_not_allowed",
            (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
                .GetProperty("title")
                .GetString()
        );
    }

    [StoreFact]
    public async Task An_inactive_api_trigger_refuses_starts()
    {
        var agent = await Server.CreateApiAgentAsync(Quick(), new { active = false });
        Assert.Equal(HttpStatusCode.Forbidden, (await StartAsync(agent)).StatusCode);
    }

    [StoreFact]
    public async Task A_sub_agent_cannot_have_an_api_trigger()
    {
        _ = Server.Server;
        var agent = await TestData.CreateAgentAsync(
            (Microsoft.EntityFrameworkCore.IDbContextFactory<Store.SkeinDbContext>)
                Server.Services.GetService(
                    typeof(Microsoft.EntityFrameworkCore.IDbContextFactory<Store.SkeinDbContext>)
                )!,
            new AgentSpec { Mode = ExecutionMode.SubAgent },
            CancellationToken.None
        );
        var response = await Server.UpdateApiTriggerAsync(agent.AgentId, new { });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [StoreFact]
    public async Task The_seeded_demo_key_lists_and_runs_the_demo_agent()
    {
        var client = Server.CreateApiClient();
        var agents = await client.GetFromJsonAsync<JsonElement>("/v1/agents", TestContext.Current.CancellationToken);
        var items = agents.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["demo", "demo-hitl", "demo-team"], items.Select(a => a.GetProperty("name").GetString()));
        var demo = items[0];
        Assert.Equal("v1", demo.GetProperty("versionLabel").GetString());
        var started = await Runs.StartAsync(client, demo.GetProperty("id").GetGuid());
        await Runs.WaitForAsync(client, started.GetProperty("runId").GetGuid(), "Completed");
    }
}
