using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Core.Triggers;
using Skein.Server.Tests.Crash;
using Skein.Testing;

namespace Skein.Server.Tests.Wire;

/// <summary>
/// Details the published TypeScript client (<c>@phrony/sdk</c> 0.1.2) depends on (issue #18): approvals answered
/// without <c>approved</c>, problems with a detail, optional fields omitted rather than null, the event sequence in
/// each stream event's JSON, one output after a Terminate, and the webhook ingress log's outcomes and links.
/// </summary>
public sealed class PhronyClientDetailsTests(ApiServers servers) : ApiTests(servers)
{
    private HttpClient Anonymous => field ??= Server.CreateClient();

    [StoreFact]
    public async Task A_user_task_id_without_approved_approves_the_approval()
    {
        await using var receiver = await OperationReceiver.StartAsync(Ct);
        var tool = "pay_" + Guid.NewGuid().ToString("N")[..8];
        await TestData.AddOperationAsync(
            Server.Contexts,
            new OperationSpec(tool, receiver.BaseUrl) { RequireApproval = true },
            Ct
        );
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [tool],
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls = [new ScriptToolCall(tool, JsonSerializer.SerializeToElement(new { amount = 5 }))],
                    },
                    new ScriptTurn { Text = "paid" },
                ],
            }
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL");
        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);
        var taskId = conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "UserTaskReq")
            .GetProperty("content")
            .GetProperty("user_task_id")
            .GetGuid();

        var answered = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { runId, userTaskId = taskId },
            Ct
        );

        Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        var done = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("Completed", done.GetProperty("status").GetString());
        Assert.Single(receiver.Calls);
    }

    [StoreFact]
    public async Task Unauthorized_and_not_found_problems_say_what_was_wrong()
    {
        var missing = await Anonymous.GetAsync("/v1/agents", Ct);
        using var unknownKey = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
        unknownKey.Headers.Add("X-API-Key", "phk_not_a_key_of_this_server");
        var unknown = await Anonymous.SendAsync(unknownKey, Ct);
        var client = Server.CreateApiClient();
        var noRun = await client.GetAsync($"/v1/runs/{Guid.NewGuid()}", Ct);
        var noRoute = await client.GetAsync("/v1/no-such-route", Ct);

        Assert.Contains("missing API key", await DetailAsync(missing, HttpStatusCode.Unauthorized));
        Assert.Equal("unknown API key", await DetailAsync(unknown, HttpStatusCode.Unauthorized));
        Assert.StartsWith("unknown run ", await DetailAsync(noRun, HttpStatusCode.NotFound));
        Assert.Contains("/v1/no-such-route", await DetailAsync(noRoute, HttpStatusCode.NotFound));
    }

    [StoreFact]
    public async Task Optional_fields_without_a_value_are_omitted_from_v1_answers_not_null()
    {
        var plain = await Server.CreateApiAgentAsync(new AgentSpec { Script = [new() { Text = "hi" }] });
        var limited = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Script = [new() { Text = "hi" }],
                Limits = new RunLimits { MaxSessionTokens = 5000, MaxSessionDurationSec = 600 },
            }
        );

        var started = await Runs.StartAsync(plain.Client, plain.AgentId);
        var runId = started.GetProperty("runId").GetGuid();
        var run = await Runs.WaitForAsync(plain.Client, runId, "Completed");
        var conversation = await plain.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);
        var sessions = await plain.Client.GetFromJsonAsync<JsonElement>($"/v1/agents/{plain.AgentId}/sessions", Ct);
        var limitedRun = (await Runs.StartAsync(limited.Client, limited.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(limited.Client, limitedRun, "Completed");
        var limitedContext = (
            await limited.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{limitedRun}/conversation", Ct)
        )
            .GetProperty("session")
            .GetProperty("startContext");

        Assert.False(started.TryGetProperty("error", out _), started.GetRawText());
        Assert.True(started.TryGetProperty("output", out _), "output is not optional");
        Assert.False(run.TryGetProperty("error", out _), run.GetRawText());
        var session = conversation.GetProperty("session");
        Assert.False(session.TryGetProperty("error", out _));
        Assert.All(conversation.GetProperty("runs").EnumerateArray(), r =>
            Assert.False(r.TryGetProperty("error", out _))
        );
        Assert.False(sessions.GetProperty("items")[0].TryGetProperty("error", out _));
        var context = session.GetProperty("startContext");
        foreach (var name in new[] { "maxSessionTokens", "maxSessionDurationSec", "topP", "topK" })
        {
            Assert.False(context.TryGetProperty(name, out _), $"startContext has {name}: {context.GetRawText()}");
        }

        Assert.Equal(5000, limitedContext.GetProperty("maxSessionTokens").GetInt64());
        Assert.Equal(600, limitedContext.GetProperty("maxSessionDurationSec").GetInt32());
    }

    [StoreFact]
    public async Task Each_stored_stream_event_carries_its_sequence_in_its_json()
    {
        var agent = await Server.CreateApiAgentAsync(new AgentSpec { Script = [new() { Text = "hi" }] });
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");

        var events = await StreamAsync(agent.Client, runId);

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(e.Id, e.Json.GetProperty("data").GetProperty("sequence").GetInt64()));
        var steps = events.Where(e => e.Json.GetProperty("kind").GetString() == "step").ToList();
        Assert.Equal(
            Enumerable.Range(1, steps.Count),
            steps.Select(e => e.Json.GetProperty("data").GetProperty("step_sequence").GetInt32())
        );

        // The client resumes from data.sequence as it would from the id.
        var resumed = await StreamAsync(agent.Client, runId, after: events[^2].Id);
        Assert.Equal([events[^1].Id], resumed.Select(e => e.Id));
    }

    [StoreFact]
    public async Task After_a_terminate_the_stream_and_the_conversation_agree_on_the_sessions_output()
    {
        var scope = await Server.MultiTurnAgentAsync();
        var client = Server.CreateApiClient(await ApiKeys.CreateAsync(Admin, scope));
        var started = await Runs.StartAsync(client, scope.AgentId);
        var runId = started.GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(client, runId, "WaitingForResponse");

        var terminated = await Admin.PostAsync(
            $"/api/sessions/{started.GetProperty("sessionId").GetGuid()}/terminate",
            null,
            Ct
        );
        terminated.EnsureSuccessStatusCode();

        var completed = (await StreamAsync(client, runId)).Last().Json;
        Assert.Equal("engine.session.completed", completed.GetProperty("subject").GetString());
        var conversation = await client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);
        var sessionCompleted = conversation
            .GetProperty("items")
            .EnumerateArray()
            .Single(i => i.GetProperty("type").GetString() == "SessionCompleted")
            .GetProperty("content");
        Assert.NotEqual(JsonValueKind.Null, sessionCompleted.GetProperty("output").ValueKind);
        Assert.Equal(
            sessionCompleted.GetProperty("output").GetRawText(),
            completed.GetProperty("data").GetProperty("output").GetRawText()
        );
    }

    [StoreFact]
    public async Task A_webhook_whose_input_fails_the_schema_is_rejected_and_a_retry_references_the_failed_entry()
    {
        var schema = await EventTriggerAsync(
            new AgentSpec
            {
                InputSchema = """{"type":"object","required":["order"]}""",
                Script = [new() { Text = "ok" }],
            }
        );
        var bad = await DeliverAsync(schema, """{"ticket":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var rejected = Assert.Single(await IngressAsync(schema));
        Assert.Equal(IngressOutcomes.Rejected, rejected.GetProperty("outcome").GetString());
        Assert.False(rejected.GetProperty("retryable").GetBoolean());

        var testing = await EventTriggerAsync(
            new AgentSpec { State = VersionState.Testing, Script = [new() { Text = "ok" }] }
        );
        Assert.Equal(HttpStatusCode.Conflict, (await DeliverAsync(testing, """{"job":7}""")).StatusCode);
        var failed = Assert.Single(await IngressAsync(testing));
        Assert.Equal(IngressOutcomes.Failed, failed.GetProperty("outcome").GetString());
        await using (var db = await Server.Contexts.CreateDbContextAsync(Ct))
        {
            await db
                .AgentVersions.Where(v => v.AgentId == testing.AgentId)
                .ExecuteUpdateAsync(u => u.SetProperty(v => v.State, nameof(VersionState.Deployed)), Ct);
        }

        var retried = await Admin.PostAsync(
            $"/api/agents/{testing.AgentId}/triggers/{testing.TriggerId}/ingress/"
                + $"{failed.GetProperty("id").GetGuid()}/retry",
            null,
            Ct
        );
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var retry = (await IngressAsync(testing)).Single(e =>
            e.GetProperty("id").GetGuid() != failed.GetProperty("id").GetGuid()
        );
        Assert.Equal(IngressOutcomes.Started, retry.GetProperty("outcome").GetString());
        Assert.Equal(failed.GetProperty("id").GetGuid(), retry.GetProperty("retryOf").GetGuid());
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : "";
    }

    private sealed record StreamedEvent(long Id, JsonElement Json);

    /// <summary>The whole stream of a finished session (the server closes it after session.completed).</summary>
    private static async Task<List<StreamedEvent>> StreamAsync(HttpClient client, Guid runId, long? after = null)
    {
        var url = $"/v1/runs/{runId}/stream" + (after is { } a ? $"?lastEventId={a}" : "");
        var raw = await client.GetStringAsync(url, Ct);
        var events = new List<StreamedEvent>();
        foreach (var block in raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var id = lines.FirstOrDefault(l => l.StartsWith("id:", StringComparison.Ordinal));
            var data = lines.FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal));
            if (id is not null && data is not null)
            {
                events.Add(new StreamedEvent(long.Parse(id[3..].Trim()), JsonDocument.Parse(data[5..]).RootElement));
            }
        }

        return events;
    }

    private sealed record EventTrigger(Guid AgentId, Guid TriggerId, string Secret);

    private async Task<EventTrigger> EventTriggerAsync(AgentSpec spec)
    {
        var agent = await TestData.CreateAgentAsync(Server.Contexts, spec, Ct);
        var response = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/triggers",
            new { type = "event", name = "orders" },
            Ct
        );
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return new EventTrigger(
            agent.AgentId,
            created.GetProperty("id").GetGuid(),
            created.GetProperty("signingSecret").GetString() ?? ""
        );
    }

    private Task<HttpResponseMessage> DeliverAsync(EventTrigger trigger, string body) =>
        Anonymous.SendAsync(Webhooks.Signed($"/hooks/{trigger.TriggerId}", trigger.Secret, body), Ct);

    private async Task<JsonElement[]> IngressAsync(EventTrigger trigger)
    {
        var log = await Eventually.Get(
            () =>
                Admin.GetFromJsonAsync<JsonElement>(
                    $"/api/agents/{trigger.AgentId}/triggers/{trigger.TriggerId}/ingress",
                    Ct
                ),
            l => l.GetProperty("items").GetArrayLength() > 0,
            what: "the ingress log to have the delivery"
        );
        return [.. log.GetProperty("items").EnumerateArray()];
    }
}
