using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.MultiAgent;

/// <summary>The seeded multi-agent demo (SPEC section 9): <c>demo-team</c> dispatches <c>demo-researcher</c>, which
/// asks its parent one question; the tree is read by the child's run id over <c>/v1</c>.</summary>
public sealed class DemoTeamTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Demo_team_completes_with_its_researchers_answer_and_a_child_run_id_reads_the_tree()
    {
        var client = Server.CreateApiClient();
        var agents = await client.GetFromJsonAsync<JsonElement>("/v1/agents", Ct);
        var team = agents
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo-team")
            .GetProperty("id")
            .GetGuid();

        var started = await Runs.StartAsync(client, team);
        var rootRunId = started.GetProperty("runId").GetGuid();
        var done = await Runs.WaitForAsync(client, rootRunId, "Completed", "Failed");

        Assert.Equal("Completed", done.GetProperty("status").GetString());
        var conversation = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{rootRunId}/conversation", Ct);
        var child = conversation
            .GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("depth").GetInt32() == 1);
        Assert.Equal(rootRunId, child.GetProperty("parentRunId").GetGuid());
        var childRunId = child.GetProperty("id").GetGuid();

        var byChild = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{childRunId}/conversation", Ct);
        var types = byChild
            .GetProperty("items")
            .EnumerateArray()
            .Select(i => i.GetProperty("type").GetString())
            .ToList();
        Assert.Equal(2, byChild.GetProperty("runs").GetArrayLength());
        Assert.Contains("SubAgentCall", types);
        Assert.Contains("AitlRequest", types);
        Assert.Contains("AitlResolved", types);
        var result = byChild
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "SubAgentResult");
        Assert.Contains("Mont Blanc", result.GetProperty("content").GetRawText());
        var childRun = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{childRunId}", Ct);
        Assert.Equal("Completed", childRun.GetProperty("status").GetString());
    }
}
