using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Sessions;

/// <summary>SPEC section 10, operator side: find sessions (text, filters, keyset pages), bulk actions, Rerun and
/// Fork.</summary>
public sealed class SessionSearchTests(ApiServers servers) : ApiTests(servers)
{
    private static string Word() => "w" + Guid.NewGuid().ToString("N")[..12];

    private Task<ApiAgent> EchoAgentAsync(string finalText = "done") =>
        Server.CreateApiAgentAsync(
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
                    new ScriptTurn { Text = finalText },
                ],
            }
        );

    private static async Task<(Guid SessionId, Guid RunId)> StartAsync(
        ApiAgent agent,
        object input,
        object? tags = null
    )
    {
        var response = await agent.Client.PostAsJsonAsync($"/v1/agents/{agent.AgentId}/runs", new { input, tags }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (body.GetProperty("sessionId").GetGuid(), body.GetProperty("runId").GetGuid());
    }

    private async Task<JsonElement> SearchAsync(string query)
    {
        var response = await Admin.GetAsync("/api/sessions?" + query, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static List<Guid> Ids(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];

    private Task<JsonElement> SessionAsync(Guid sessionId, params string[] statuses) =>
        Eventually.Get(
            () => Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct),
            s => statuses.Length == 0 || statuses.Contains(s.GetProperty("session").GetProperty("status").GetString()),
            what: $"session {sessionId} to reach {string.Join("|", statuses)}"
        );

    [StoreFact]
    public async Task Search_finds_a_session_by_a_word_of_its_input_its_output_or_its_error()
    {
        var (inWord, outWord, errWord) = (Word(), Word(), Word());
        var echo = await EchoAgentAsync($"the answer is {outWord}");
        var failing = await Server.CreateApiAgentAsync(
            new AgentSpec { Script = [new ScriptTurn { Error = $"upstream {errWord} broke" }] }
        );
        var byInput = await StartAsync(echo, new { text = $"please look at {inWord} today" });
        var other = await StartAsync(echo, new { text = "nothing to see" });
        var byError = await StartAsync(failing, new { text = "x" });
        await Runs.WaitForAsync(echo.Client, byInput.RunId, "Completed");
        await Runs.WaitForAsync(echo.Client, other.RunId, "Completed");
        await Runs.WaitForAsync(failing.Client, byError.RunId, "Failed");

        Assert.Equal([byInput.SessionId], Ids(await SearchAsync($"q={inWord}")));
        Assert.Equal([byInput.SessionId], Ids(await SearchAsync($"q={inWord.ToUpperInvariant()}")));
        var byOutput = Ids(await SearchAsync($"q={outWord}"));
        Assert.Equal([other.SessionId, byInput.SessionId], byOutput);
        Assert.Equal([byError.SessionId], Ids(await SearchAsync($"q={errWord}")));

        // Every word must occur; punctuation and query syntax are plain text.
        Assert.Equal([byInput.SessionId], Ids(await SearchAsync($"q={outWord}+{inWord}")));
        Assert.Empty(Ids(await SearchAsync($"q={inWord}+{errWord}")));
        Assert.Empty(Ids(await SearchAsync($"q=%22{inWord}%22+OR+NEAR(x*")));
    }

    [StoreFact]
    public async Task Filters_combine_and_keyset_pages_cover_every_match_once()
    {
        var batch = Word();
        var echo = await EchoAgentAsync();
        var started = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var (sessionId, runId) = await StartAsync(
                echo,
                new { i },
                new Dictionary<string, string> { ["batch"] = batch }
            );
            await Runs.WaitForAsync(echo.Client, runId, "Completed");
            started.Add(sessionId);
        }

        var untagged = await StartAsync(echo, new { i = 9 });
        await Runs.WaitForAsync(echo.Client, untagged.RunId, "Completed");

        var seen = new List<Guid>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await SearchAsync(
                $"agentId={echo.AgentId}&tag=batch:{batch}&status=Completed&triggerType=api&take=2"
                    + (after is null ? "" : "&after=" + after)
            );
            seen.AddRange(Ids(page));
            after = page.GetProperty("next").GetString();
            pages++;
        } while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(started), seen);
        Assert.Empty(Ids(await SearchAsync($"tag=batch:{batch}&status=Running")));
        Assert.Empty(Ids(await SearchAsync($"tag=batch:{batch}&triggerType=console")));
        Assert.Empty(Ids(await SearchAsync($"tag=batch:{batch}x")));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Empty(Ids(await SearchAsync($"tag=batch:{batch}&from={future}")));
        Assert.Equal(5, Ids(await SearchAsync($"tag=batch:{batch}&to={future}")).Count);
        var session = (await SearchAsync($"tag=batch:{batch}&take=1")).GetProperty("items")[0];
        Assert.Equal(batch, session.GetProperty("tags").GetProperty("batch").GetString());
    }

    [StoreTheory]
    [InlineData("status=Bogus")]
    [InlineData("triggerType=mail")]
    [InlineData("tag=novalue")]
    [InlineData("tag=bad%20key:v")]
    [InlineData("after=not-a-cursor")]
    [InlineData("take=101")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("q=a+b+c+d+e+f+g+h+i")]
    public async Task A_bad_search_is_a_400_problem(string query)
    {
        var response = await Admin.GetAsync("/api/sessions?" + query, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task Start_bodies_with_too_many_or_oversized_tags_are_refused_before_a_session_exists()
    {
        var echo = await EchoAgentAsync();
        var many = Enumerable.Range(0, 17).ToDictionary(i => "k" + i, _ => "v");
        var response = await echo.Client.PostAsJsonAsync(
            $"/v1/agents/{echo.AgentId}/runs",
            new { input = new { }, tags = many },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        response = await echo.Client.PostAsJsonAsync(
            $"/v1/agents/{echo.AgentId}/runs",
            new { input = new { }, tags = new Dictionary<string, string> { ["k"] = new string('v', 257) } },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Ids(await SearchAsync($"agentId={echo.AgentId}")));
    }

    [StoreFact]
    public async Task Bulk_terminate_reports_done_skipped_and_failed_per_session()
    {
        var chat = await Server.MultiTurnAgentAsync();
        var client = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, chat));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var started = await Runs.StartAsync(client, chat.AgentId, new { i });
            await Runs.WaitForAsync(client, started.GetProperty("runId").GetGuid(), "WaitingForResponse");
            ids.Add(started.GetProperty("sessionId").GetGuid());
        }

        (await Admin.PostAsync($"/api/sessions/{ids[2]}/complete", null, Ct)).EnsureSuccessStatusCode();
        var unknown = Guid.NewGuid();

        var response = await Admin.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "terminate", ids = new[] { ids[0], ids[1], ids[2], unknown } },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results");
        Assert.Equal(
            [(ids[0], "done"), (ids[1], "done"), (ids[2], "skipped"), (unknown, "failed")],
            results
                .EnumerateArray()
                .Select(r => (r.GetProperty("sessionId").GetGuid(), r.GetProperty("outcome").GetString()!))
        );
        Assert.False(string.IsNullOrEmpty(results[2].GetProperty("reason").GetString()));
        await SessionAsync(ids[0], "Terminated");
        await SessionAsync(ids[1], "Terminated");
        await SessionAsync(ids[2], "Completed");
    }

    [StoreFact]
    public async Task Bulk_complete_by_filter_acts_on_every_matching_session()
    {
        var chat = await Server.MultiTurnAgentAsync();
        var client = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, chat));
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            var started = await Runs.StartAsync(client, chat.AgentId, new { i });
            await Runs.WaitForAsync(client, started.GetProperty("runId").GetGuid(), "WaitingForResponse");
            ids.Add(started.GetProperty("sessionId").GetGuid());
        }

        var response = await Admin.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "complete", filter = new { agentId = chat.AgentId, status = "WaitingForResponse" } },
            Ct
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results");
        Assert.Equal(
            ids.OrderBy(i => i),
            results.EnumerateArray().Select(r => r.GetProperty("sessionId").GetGuid()).OrderBy(i => i)
        );
        Assert.All(results.EnumerateArray(), r => Assert.Equal("done", r.GetProperty("outcome").GetString()));
        await SessionAsync(ids[0], "Completed");

        var bad = await Admin.PostAsJsonAsync("/api/sessions/bulk", new { action = "explode", ids = ids }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        bad = await Admin.PostAsJsonAsync(
            "/api/sessions/bulk",
            new { action = "terminate", ids = Enumerable.Range(0, 1001).Select(_ => Guid.NewGuid()) },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [StoreFact]
    public async Task Rerun_starts_a_new_session_with_the_same_input_and_tags()
    {
        var echo = await EchoAgentAsync();
        var word = Word();
        var source = await StartAsync(echo, new { text = word }, new Dictionary<string, string> { ["k"] = "v" });
        await Runs.WaitForAsync(echo.Client, source.RunId, "Completed");

        var response = await Admin.PostAsync($"/api/sessions/{source.SessionId}/rerun", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var rerun = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var sessionId = rerun.GetProperty("sessionId").GetGuid();
        Assert.NotEqual(source.SessionId, sessionId);
        var detail = (await SessionAsync(sessionId, "Completed")).GetProperty("session");
        Assert.Equal(rerun.GetProperty("runId").GetGuid(), detail.GetProperty("rootRunId").GetGuid());
        Assert.Equal(word, detail.GetProperty("input").GetProperty("text").GetString());
        Assert.Equal("v", detail.GetProperty("tags").GetProperty("k").GetString());
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await Admin.PostAsync($"/api/sessions/{Guid.NewGuid()}/rerun", null, Ct)).StatusCode
        );
    }

    [StoreFact]
    public async Task Fork_copies_the_timeline_up_to_the_chosen_step_and_continues_from_there()
    {
        var echo = await EchoAgentAsync("finished after the fork");
        var source = await StartAsync(echo, new { text = "fork me" });
        await Runs.WaitForAsync(echo.Client, source.RunId, "Completed");
        var steps = (await SessionAsync(source.SessionId)).GetProperty("steps").EnumerateArray().ToList();
        var toolResult = steps.Single(s => s.GetProperty("type").GetString() == "ToolResult");
        var from = toolResult.GetProperty("eventSequence").GetInt64();

        var response = await Admin.PostAsJsonAsync(
            $"/api/sessions/{source.SessionId}/fork",
            new { fromSequence = from },
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var fork = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var forked = await SessionAsync(fork.GetProperty("sessionId").GetGuid(), "Completed");

        var session = forked.GetProperty("session");
        Assert.Equal(source.SessionId, session.GetProperty("forkedFrom").GetProperty("sessionId").GetGuid());
        Assert.Equal(from, session.GetProperty("forkedFrom").GetProperty("sequence").GetInt64());
        Assert.Equal("finished after the fork", session.GetProperty("output").GetString());
        var copied = steps.TakeWhile(s => s.GetProperty("eventSequence").GetInt64() <= from).ToList();
        var forkSteps = forked.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(
            steps.Select(s => s.GetProperty("type").GetString()),
            forkSteps.Select(s => s.GetProperty("type").GetString())
        );
        Assert.All(forkSteps, s =>
        {
            Assert.Equal(fork.GetProperty("runId").GetGuid(), s.GetProperty("runId").GetGuid());
            Assert.DoesNotContain(steps, o => o.GetProperty("id").GetGuid() == s.GetProperty("id").GetGuid());
        });
        Assert.Equal(
            copied.Select(s => s.GetProperty("content").GetProperty("tool_call_id").ToString()).Last(),
            forkSteps[copied.Count - 1].GetProperty("content").GetProperty("tool_call_id").ToString()
        );

        var output = steps.Single(s => s.GetProperty("type").GetString() == "output").GetProperty("eventSequence");
        var refused = await Admin.PostAsJsonAsync(
            $"/api/sessions/{source.SessionId}/fork",
            new { fromSequence = output.GetInt64() },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        refused = await Admin.PostAsJsonAsync(
            $"/api/sessions/{source.SessionId}/fork",
            new { fromSequence = 9999 },
            Ct
        );
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
