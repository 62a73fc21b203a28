using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Access;

/// <summary>Bulk actions, Rerun, Fork and Test runs are operator actions (SPEC section 10): each is in the audit log
/// with the signed-in caller (the user, through their <c>skt_</c> token) as actor, and the sessions they start carry
/// that actor as <c>triggeredBy</c>.</summary>
public sealed class OperatorStartAuditTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task Bulk_rerun_fork_and_test_run_record_the_signed_in_user_as_actor()
    {
        var operatorUser = await Members.CreateAsync(Server, "Operator");
        var developer = await Members.CreateAsync(Server, "Developer");
        var echo = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new ScriptTurn
                    {
                        Text = "calling",
                        ToolCalls =
                        [
                            new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { n = 1 })),
                        ],
                    },
                    new ScriptTurn { Text = "done" },
                ],
            }
        );

        // Test run: a console start by a Developer, audited on the agent with the new session in the note.
        var testRun = await developer.Client.PostAsJsonAsync(
            $"/api/agents/{echo.AgentId}/runs",
            new { input = new { text = "audit me" } },
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, testRun.StatusCode);
        var source = (await testRun.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
        var sourceDetail = await SessionAsync(source, "Completed");
        var developerActor = Actor(Assert.Single(await EntriesAsync($"actor=operator:{developer.Email}&target=agent")));
        Assert.StartsWith($"operator:{developer.Email}/token:", developerActor);
        var started = Assert.Single(await EntriesAsync($"target={echo.AgentId}"), e => Action(e) == "agent.test_run");
        Assert.Equal("succeeded", started.GetProperty("outcome").GetString());
        Assert.Contains(source.ToString(), Note(started), StringComparison.Ordinal);
        Assert.Equal(developerActor, sourceDetail.GetProperty("session").GetProperty("triggeredBy").GetString());

        // Rerun and Fork by an Operator: audited on the source, the new sessions triggered by the same actor.
        var rerun = await StartedAsync(await operatorUser.Client.PostAsync($"/api/sessions/{source}/rerun", null, Ct));
        var from = sourceDetail
            .GetProperty("steps")
            .EnumerateArray()
            .Single(s => s.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("eventSequence")
            .GetInt64();
        var fork = await StartedAsync(
            await operatorUser.Client.PostAsJsonAsync($"/api/sessions/{source}/fork", new { fromSequence = from }, Ct)
        );
        var refused = await operatorUser.Client.PostAsJsonAsync(
            $"/api/sessions/{source}/fork",
            new { fromSequence = 999_999 },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var onSource = await EntriesAsync($"target={source}");
        var rerunEntry = Assert.Single(onSource, e => Action(e) == "session.rerun");
        Assert.Contains(rerun.ToString(), Note(rerunEntry), StringComparison.Ordinal);
        var forks = onSource.Where(e => Action(e) == "session.forked").ToList();
        Assert.Equal(2, forks.Count);
        Assert.Contains(forks, e =>
            Outcome(e) == "succeeded" && Note(e).Contains(fork.ToString(), StringComparison.Ordinal)
        );
        Assert.Contains(forks, e => Outcome(e) == "failed" && Note(e).Length > 0);
        var operatorActor = Actor(rerunEntry);
        Assert.StartsWith($"operator:{operatorUser.Email}/token:", operatorActor);
        Assert.All(forks, e => Assert.Equal(operatorActor, Actor(e)));
        foreach (var made in new[] { rerun, fork })
        {
            var detail = await SessionAsync(made);
            Assert.Equal(operatorActor, detail.GetProperty("session").GetProperty("triggeredBy").GetString());
        }

        // Bulk: each session's Terminate is audited with the operator, and its session audit names them too.
        var chat = await Server.MultiTurnAgentAsync();
        var client = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, chat));
        var waiting = await Runs.StartAsync(client, chat.AgentId, new { });
        await Runs.WaitForAsync(client, waiting.GetProperty("runId").GetGuid(), "WaitingForResponse");
        var waitingId = waiting.GetProperty("sessionId").GetGuid();
        var bulk = await operatorUser.Client.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "terminate", ids = new[] { waitingId } },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        await SessionAsync(waitingId, "Terminated");
        var terminated = Assert.Single(await EntriesAsync($"target={waitingId}"));
        Assert.Equal("session.terminated", Action(terminated));
        Assert.Equal(operatorActor, Actor(terminated));
        var sessionAudit = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{waitingId}/audit", Ct);
        Assert.Contains(sessionAudit.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("actor").GetString() == operatorActor
        );
    }

    [StoreFact]
    public async Task A_dashboard_test_run_is_audited_with_the_signed_in_user()
    {
        var agent = await Server.CreateApiAgentAsync(new AgentSpec { Script = [new ScriptTurn { Text = "hi" }] });
        var cookies = await Polish.DashboardPages.SignedInCookiesAsync(Server);

        var posted = await Polish.DashboardPages.PostFormAsync(
            Server,
            $"/agents/{agent.AgentId}",
            $"/agents/{agent.AgentId}/testrun",
            cookies,
            new() { ["input"] = "{}" }
        );

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var sessionId = Guid.Parse(posted.Headers.Location!.OriginalString.Split('/')[^1]);
        var entry = Assert.Single(await EntriesAsync($"target={agent.AgentId}"), e => Action(e) == "agent.test_run");
        Assert.Equal("operator:admin", Actor(entry));
        Assert.Equal("succeeded", Outcome(entry));
        Assert.Contains(sessionId.ToString(), Note(entry), StringComparison.Ordinal);
        var detail = await SessionAsync(sessionId);
        Assert.Equal("operator:admin", detail.GetProperty("session").GetProperty("triggeredBy").GetString());
    }

    private static async Task<Guid> StartedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sessionId").GetGuid();
    }

    private Task<JsonElement> SessionAsync(Guid sessionId, params string[] statuses) =>
        Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct),
            s => statuses.Length == 0 || statuses.Contains(s.GetProperty("session").GetProperty("status").GetString()),
            what: $"session {sessionId} to reach {string.Join("|", statuses)}"
        );

    private async Task<List<JsonElement>> EntriesAsync(string query)
    {
        var page = await Admin.GetFromJsonAsync<JsonElement>($"/api/audit?{query}&take=200", Ct);
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private static string? Action(JsonElement e) => e.GetProperty("action").GetString();

    private static string Actor(JsonElement e) => e.GetProperty("actor").GetString() ?? "";

    private static string? Outcome(JsonElement e) => e.GetProperty("outcome").GetString();

    private static string Note(JsonElement e) => e.GetProperty("note").GetString() ?? "";
}
