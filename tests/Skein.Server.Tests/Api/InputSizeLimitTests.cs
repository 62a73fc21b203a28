using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>Bodies that start or continue runs are bounded by <c>maxInputBytes</c> (issue #15 item 4): 1 MiB by
/// default, a trigger's own setting when it has one; a larger body is a 413 problem and stores nothing.</summary>
public sealed class InputSizeLimitTests(ApiServers servers) : ApiTests(servers)
{
    private static AgentSpec Spec() => new() { Script = [new() { Text = "ok" }] };

    private static string InputOf(int bytes) =>
        JsonSerializer.Serialize(new { input = new { text = new string('a', bytes) } });

    private static async Task AssertTooLargeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("urn:skein:error:payload_too_large", problem.GetProperty("type").GetString());
        Assert.Contains("maxInputBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<int> SessionCountAsync(ApiAgent agent) =>
        (await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct))
            .GetProperty("total")
            .GetInt32();

    [StoreFact]
    public async Task A_start_over_one_mebibyte_is_refused_with_413_and_starts_nothing()
    {
        var agent = await Server.CreateApiAgentAsync(Spec());

        var declared = await agent.Client.PostAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new StringContent(InputOf(1_100_000), Encoding.UTF8, "application/json"),
            Ct
        );
        var chunked = await agent.Client.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { text = new string('b', 1_100_000) } },
            Ct
        );

        await AssertTooLargeAsync(declared);
        await AssertTooLargeAsync(chunked);
        Assert.Equal(0, await SessionCountAsync(agent));
        var fits = await agent.Client.PostAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new StringContent(InputOf(900_000), Encoding.UTF8, "application/json"),
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, fits.StatusCode);
    }

    [StoreFact]
    public async Task The_api_trigger_s_max_input_bytes_bounds_starts_and_messages()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Conversation = Core.Agents.ConversationMode.MultiTurn,
                Script = [new() { Text = "hi" }, new() { Text = "again" }],
            },
            new { maxInputBytes = 4096 }
        );

        await AssertTooLargeAsync(
            await agent.Client.PostAsync(
                $"/v1/agents/{agent.AgentId}/runs",
                new StringContent(InputOf(5000), Encoding.UTF8, "application/json"),
                Ct
            )
        );
        var started = await agent.Client.PostAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new StringContent(InputOf(3000), Encoding.UTF8, "application/json"),
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForResponse");

        var message = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { text = new string('c', 5000) },
            Ct
        );

        await AssertTooLargeAsync(message);
        Assert.Equal(1, await SessionCountAsync(agent));
    }

    [StoreFact]
    public async Task A_trigger_limit_outside_its_range_is_refused()
    {
        var agent = await Server.CreateApiAgentAsync(Spec());

        var response = await Server.UpdateApiTriggerAsync(agent.AgentId, new { maxInputBytes = 10 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [StoreFact]
    public async Task A_webhook_over_its_trigger_s_limit_is_refused_before_the_signature_is_checked()
    {
        var agent = await Server.CreateApiAgentAsync(Spec());
        var created = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new
            {
                type = "event",
                name = "hook",
                maxInputBytes = 2048,
            },
            Ct
        );
        created.EnsureSuccessStatusCode();
        var triggerId = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        using var anonymous = Server.CreateClient();

        var response = await anonymous.PostAsync(
            $"/hooks/{triggerId}",
            new StringContent(InputOf(3000), Encoding.UTF8, "application/json"),
            Ct
        );

        await AssertTooLargeAsync(response);
    }
}
