using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

public sealed class V1RunTests(ApiServers servers) : ApiTests(servers)
{
    private static ScriptTurn Echo() =>
        new()
        {
            Text = "calling",
            ToolCalls = [new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { n = 1 }))],
            InputTokens = 3,
            OutputTokens = 2,
        };

    private Task<ApiAgent> EchoAgentAsync() =>
        Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    Echo(),
                    new ScriptTurn
                    {
                        Text = "done",
                        InputTokens = 4,
                        OutputTokens = 1,
                    },
                ],
            }
        );

    [StoreFact]
    public async Task Starting_a_run_answers_202_with_the_fields_the_phrony_client_reads()
    {
        var agent = await EchoAgentAsync();
        var started = await Runs.StartAsync(agent.Client, agent.AgentId, new { q = 1 });

        Assert.Equal(agent.AgentId, started.GetProperty("agentId").GetGuid());
        Assert.Equal(agent.TriggerId, started.GetProperty("triggerId").GetGuid());
        Assert.Equal("Running", started.GetProperty("status").GetString());
        Assert.Equal(0, started.GetProperty("totalTokensUsed").GetInt64());
        Assert.True(started.TryGetProperty("output", out _));
        Assert.NotEqual(Guid.Empty, started.GetProperty("sessionId").GetGuid());
        var run = await Runs.WaitForAsync(agent.Client, started.GetProperty("runId").GetGuid(), "Completed");
        Assert.Equal("done", run.GetProperty("output").GetString());
    }

    [StoreFact]
    public async Task The_conversation_merges_the_timeline_with_ordinals_and_completion_rows()
    {
        var agent = await EchoAgentAsync();
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId, new { q = "hi" }))
            .GetProperty("runId")
            .GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var full = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation",
            TestContext.Current.CancellationToken
        );
        var items = full.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, items.Count), items.Select(i => i.GetProperty("ordinal").GetInt32()));
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "ToolCall",
                "ToolResult",
                "llm_request_prepared",
                "reasoning",
                "output",
                "RunCompleted",
                "SessionCompleted",
            ],
            items.Select(i => i.GetProperty("type").GetString())
        );
        Assert.Equal("Completed", items[^1].GetProperty("content").GetProperty("status").GetString());
        Assert.Equal(runId, items[^2].GetProperty("content").GetProperty("run_id").GetGuid());
        Assert.True(items[0].GetProperty("content").TryGetProperty("session_id", out _));
        var session = full.GetProperty("session");
        Assert.Equal("hi", session.GetProperty("startContext").GetProperty("userInput").GetProperty("q").GetString());
        Assert.Equal("api", session.GetProperty("triggerType").GetString());
        Assert.Equal(10, session.GetProperty("totalTokensUsed").GetInt64());
        var run = Assert.Single(full.GetProperty("runs").EnumerateArray());
        Assert.Equal("api", run.GetProperty("triggerType").GetString());

        var slim = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation?stepContent=slim",
            TestContext.Current.CancellationToken
        );
        foreach (
            var item in slim.GetProperty("items")
                .EnumerateArray()
                .Where(i => i.GetProperty("type").GetString() is not ("RunCompleted" or "SessionCompleted"))
        )
        {
            foreach (
                var dropped in new[] { "session_id", "run_id", "tenant_id", "agent_id", "agent_version_id", "event_id" }
            )
            {
                Assert.False(item.GetProperty("content").TryGetProperty(dropped, out _), dropped);
            }
        }

        var bad = await agent.Client.GetAsync(
            $"/v1/runs/{runId}/conversation?stepContent=tiny",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [StoreFact]
    public async Task The_session_list_is_newest_first_with_total_and_filters()
    {
        var agent = await EchoAgentAsync();
        var first = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("sessionId").GetGuid();
        var second = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("sessionId").GetGuid();

        var page = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/agents/{agent.AgentId}/sessions?take=1",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(second, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var next = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/agents/{agent.AgentId}/sessions?skip=1&take=1",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(first, Assert.Single(next.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        var none = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/agents/{agent.AgentId}/sessions?versionId={Guid.NewGuid()}",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        foreach (var bad in new[] { "skip=-1", "take=0", "take=101", "status=Done", "versionId=nope" })
        {
            Assert.Equal(
                HttpStatusCode.BadRequest,
                (
                    await agent.Client.GetAsync(
                        $"/v1/agents/{agent.AgentId}/sessions?{bad}",
                        TestContext.Current.CancellationToken
                    )
                ).StatusCode
            );
        }
    }

    [StoreFact]
    public async Task A_follow_up_message_through_messages_or_input_continues_the_conversation()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Conversation = ConversationMode.MultiTurn,
                Script = [new() { Text = "one" }, new() { Text = "two" }, new() { Text = "three" }],
            }
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForResponse");

        var mismatch = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId = Guid.NewGuid(), text = "x" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        var empty = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId, text = "  " },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        var sent = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId, text = "and then?" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.True(
            (await sent.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).TryGetProperty(
                "status",
                out _
            )
        );
        await Eventually.Get(
            () => agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}"),
            r => r.GetProperty("output").GetString() == "two"
        );

        await Runs.WaitForAsync(agent.Client, runId, "WaitingForResponse");
        var viaInput = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/input",
            new { runId, message = "more" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, viaInput.StatusCode);
        await Eventually.Get(
            () => agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}"),
            r => r.GetProperty("output").GetString() == "three"
        );

        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(
            2,
            conversation
                .GetProperty("items")
                .EnumerateArray()
                .Count(i => i.GetProperty("type").GetString() == "user_message")
        );
        Assert.Single(conversation.GetProperty("runs").EnumerateArray());
    }

    [StoreFact]
    public async Task A_message_to_a_finished_run_is_a_409()
    {
        var agent = await EchoAgentAsync();
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var response = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId, text = "hello?" },
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task Skip_agent_wait_resumes_a_waiting_run_and_is_400_otherwise()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
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
            }
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForTimer");

        // No body and no Content-Type, as the Phrony client sends it.
        var skipped = await agent.Client.PostAsync(
            $"/v1/runs/{runId}/skip-agent-wait",
            null,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, skipped.StatusCode);
        Assert.Equal(
            "Running",
            (await skipped.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))
                .GetProperty("status")
                .GetString()
        );
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var again = await agent.Client.PostAsync(
            $"/v1/runs/{runId}/skip-agent-wait",
            null,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [StoreFact]
    public async Task A_missing_or_unknown_api_key_is_401()
    {
        var anonymous = Server.CreateClient();
        Assert.Equal(
            HttpStatusCode.Unauthorized,
            (await anonymous.GetAsync("/v1/agents", TestContext.Current.CancellationToken)).StatusCode
        );
        var unknown = Server.CreateApiClient("phk_this_key_does_not_exist_000000000");
        var response = await unknown.GetAsync("/v1/agents", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [StoreFact]
    public async Task A_key_sees_nothing_outside_its_scope()
    {
        var mine = await EchoAgentAsync();
        var theirs = await EchoAgentAsync();
        var theirRun = (await Runs.StartAsync(theirs.Client, theirs.AgentId)).GetProperty("runId").GetGuid();

        Assert.Equal(
            HttpStatusCode.NotFound,
            (await mine.Client.GetAsync($"/v1/runs/{theirRun}", TestContext.Current.CancellationToken)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await mine.Client.GetAsync($"/v1/runs/{theirRun}/conversation", TestContext.Current.CancellationToken)
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await mine.Client.GetAsync($"/v1/runs/{theirRun}/stream", TestContext.Current.CancellationToken)
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await mine.Client.PostAsJsonAsync(
                    $"/v1/agents/{theirs.AgentId}/runs",
                    new { input = new { } },
                    TestContext.Current.CancellationToken
                )
            ).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (
                await mine.Client.GetAsync(
                    $"/v1/agents/{theirs.AgentId}/sessions",
                    TestContext.Current.CancellationToken
                )
            ).StatusCode
        );
        var agents = await mine.Client.GetFromJsonAsync<JsonElement>(
            "/v1/agents",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(
            mine.AgentId,
            Assert.Single(agents.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid()
        );
    }

    [StoreFact]
    public async Task A_run_that_breaks_the_input_schema_is_400_and_starts_nothing()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                InputSchema = """{"type":"object","required":["name"]}""",
                Script = [new() { Text = "hi" }],
            }
        );

        var response = await agent.Client.PostAsJsonAsync(
            $"/v1/agents/{agent.AgentId}/runs",
            new { input = new { other = 1 } },
            TestContext.Current.CancellationToken
        );

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var list = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/agents/{agent.AgentId}/sessions",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [StoreFact]
    public async Task The_openapi_document_describes_every_public_route()
    {
        var doc = await Server
            .CreateClient()
            .GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (
            var route in new[]
            {
                "/v1/agents/{agentId}/runs",
                "/v1/agents/{agentId}/sessions",
                "/v1/agents",
                "/v1/runs/{runId}",
                "/v1/runs/{runId}/conversation",
                "/v1/runs/{runId}/stream",
                "/v1/runs/{runId}/messages",
                "/v1/runs/{runId}/input",
                "/v1/runs/{runId}/skip-agent-wait",
                "/api/sessions/{sessionId}/terminate",
                "/api/sessions/{sessionId}/complete",
                "/api/agents",
            }
        )
        {
            Assert.Contains(route, paths);
        }
    }
}
