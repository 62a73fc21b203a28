using System.Net.Http.Json;
using System.Text.Json;

namespace Skein.Server.Tests.MultiAgent;

/// <summary>Output-only redaction of a run tree over <c>/v1</c> (SPEC sections 4 and 9): read by the root's or the
/// child's run id, an API-key caller sees outcomes only.</summary>
public sealed class TreeRedactionTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task A_hidden_timeline_hides_the_tree_by_root_and_child_run_id()
    {
        var client = Server.CreateApiClient();
        var team = (await client.GetFromJsonAsync<JsonElement>("/v1/agents", Ct))
            .GetProperty("items")
            .EnumerateArray()
            .Single(a => a.GetProperty("name").GetString() == "demo-team")
            .GetProperty("id")
            .GetGuid();
        (await Server.UpdateApiTriggerAsync(team, new { exposeStepTimeline = false })).EnsureSuccessStatusCode();

        var rootRunId = (await Runs.StartAsync(client, team)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(client, rootRunId, "Completed");
        var childRunId = await ChildRunIdAsync(client, rootRunId);

        foreach (var runId in new[] { rootRunId, childRunId })
        {
            var conversation = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);
            var items = conversation.GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(
                ["RunCompleted", "SessionCompleted"],
                items.Select(i => i.GetProperty("type").GetString()).ToList()
            );
            Assert.Equal(rootRunId, items[0].GetProperty("runId").GetGuid());
            var runs = conversation.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal(2, runs.Count);
            Assert.All(runs, r =>
            {
                Assert.Equal(JsonValueKind.Null, r.GetProperty("input").ValueKind);
                Assert.Equal(JsonValueKind.Null, r.GetProperty("output").ValueKind);
            });
            Assert.Equal(
                1,
                runs.Single(r => r.GetProperty("id").GetGuid() == childRunId).GetProperty("depth").GetInt32()
            );
        }

        var stream = await client.GetStringAsync($"/v1/runs/{childRunId}/stream", Ct);
        var events = stream
            .Split("\n\n")
            .Select(block => block.Split('\n').FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal)))
            .OfType<string>()
            .Select(line => JsonDocument.Parse(line[5..]).RootElement)
            .ToList();
        Assert.Contains(events, e => e.GetProperty("subject").GetString() == "engine.session.completed");
        Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() is "aitl" or "step" or "user_task");
        Assert.DoesNotContain(events, e => e.GetProperty("subject").GetString() == "engine.subagent.spawned");

        // GET /v1/runs/{id} is not redacted.
        var child = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{childRunId}", Ct);
        Assert.Contains("Mont Blanc", child.GetProperty("output").GetRawText());
    }

    /// <summary>runs[] still lists the tree (ids, parentRunId, depth): only inputs and outputs are hidden.</summary>
    private static async Task<Guid> ChildRunIdAsync(HttpClient client, Guid rootRunId)
    {
        var runs = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{rootRunId}/conversation", Ct);
        return runs.GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("depth").GetInt32() == 1)
            .GetProperty("id")
            .GetGuid();
    }
}
