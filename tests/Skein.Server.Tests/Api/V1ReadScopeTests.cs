using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>What an API key may read (issue #15 items 15 and 16): the sessions of its (agent, trigger) pairs, and
/// no input or start context of sessions whose api trigger hides the timeline.</summary>
public sealed class V1ReadScopeTests(ApiServers servers) : ApiTests(servers)
{
    private static AgentSpec Spec() => new() { Instructions = "secret instructions", Script = [new() { Text = "ok" }] };

    [StoreFact]
    public async Task The_session_list_hides_input_and_start_context_when_the_timeline_is_hidden()
    {
        var agent = await Server.CreateApiAgentAsync(Spec(), new { exposeStepTimeline = false });
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId, new { card = "4111" }))
            .GetProperty("runId")
            .GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var list = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct);

        var session = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, session.GetProperty("startContext").ValueKind);
        Assert.DoesNotContain("secret instructions", list.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("Completed", session.GetProperty("status").GetString());
    }

    [StoreFact]
    public async Task The_session_list_keeps_input_when_the_timeline_is_shown()
    {
        var agent = await Server.CreateApiAgentAsync(Spec());
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId, new { card = "4111" }))
            .GetProperty("runId")
            .GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var list = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct);

        var session = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("4111", session.GetProperty("input").GetProperty("card").GetString());
        Assert.Equal(JsonValueKind.Object, session.GetProperty("startContext").ValueKind);
    }

    [StoreFact]
    public async Task A_key_of_another_trigger_of_the_agent_reads_none_of_the_api_triggers_sessions()
    {
        var agent = await Server.CreateApiAgentAsync(Spec());
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
        var scheduled = await (
            await Admin.PostAsJsonAsync(
                $"/api/agents/{agent.AgentId}/triggers",
                new
                {
                    type = "scheduled",
                    name = "nightly",
                    cron = "0 2 * * *",
                    active = false,
                },
                Ct
            )
        ).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(Ct);
        var key = await ApiKeys.CreateAsync(Admin, new ApiScope(agent.AgentId, scheduled.GetProperty("id").GetGuid()));
        using var other = Server.CreateApiClient(key);

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/runs/{runId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/runs/{runId}/conversation", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/runs/{runId}/stream", Ct)).StatusCode);
        var message = await other.PostAsJsonAsync($"/v1/runs/{runId}/messages", new { text = "hi" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, message.StatusCode);
        var list = await other.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        Assert.Equal(0, list.GetProperty("total").GetInt32());

        // The key of the trigger that started it still reads it.
        Assert.Equal(HttpStatusCode.OK, (await agent.Client.GetAsync($"/v1/runs/{runId}", Ct)).StatusCode);
        var own = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{agent.AgentId}/sessions", Ct);
        Assert.Equal(1, own.GetProperty("total").GetInt32());
    }
}
