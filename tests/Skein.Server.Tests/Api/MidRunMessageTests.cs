using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Engine.Tests.Providers;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>
/// <c>POST /v1/runs/{id}/messages</c> while the run works (SPEC section 12), by the version's <c>midRunMessages</c>,
/// against a local server speaking the OpenAI wire format: <c>enqueue</c> gives the message to the model at its next
/// turn, <c>interrupt</c> cancels the model call in flight and starts a turn with it, <c>reject</c> answers 409.
/// </summary>
[RunsLong(26)]
public sealed class MidRunMessageTests(ApiServers servers) : ApiTests(servers), IAsyncLifetime
{
    private FakeOpenAiServer _model = null!;

    public async ValueTask InitializeAsync() => _model = await FakeOpenAiServer.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    [StoreFact]
    public async Task An_enqueued_message_reaches_the_model_at_its_next_turn_before_the_run_finishes()
    {
        _model.Enqueue(
            FakeReply.Say("first answer") with
            {
                Delay = TimeSpan.FromSeconds(5),
            },
            FakeReply.Say("read the message")
        );
        var (agent, runId) = await StartAsync(MidRunMessages.Enqueue);

        var accepted = await SendAsync(agent, runId, "also check the invoice");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = await accepted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Running", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("queued").GetBoolean());

        var done = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("Completed", done.GetProperty("status").GetString());
        Assert.Equal("read the message", done.GetProperty("output").GetString());

        // The call in flight did not carry it; the next turn has it after the model's first answer.
        Assert.Equal(2, _model.Requests.Count);
        Assert.DoesNotContain("also check the invoice", _model.Requests[0].Json.GetRawText());
        var second = Messages(_model.Requests[1]);
        Assert.Equal(["system", "user", "assistant", "user"], second.Select(m => m.Role));
        Assert.Equal("first answer", second[2].Content);
        Assert.Equal("also check the invoice", second[3].Content);

        var steps = await StepsAsync(runId);
        Assert.Equal(
            ["llm_request_prepared", "user_message", "reasoning", "llm_request_prepared", "reasoning", "output"],
            steps.Select(s => s.Type)
        );
        Assert.True(SkeinJsonContent(steps[1]).GetProperty("queued").GetBoolean());
    }

    [StoreFact]
    public async Task An_interrupting_message_cancels_the_model_call_and_starts_a_turn_with_it()
    {
        // Without the interrupt the first call would hold the run far past the wait below.
        _model.Enqueue(
            FakeReply.Say("never sent") with
            {
                Delay = TimeSpan.FromMinutes(5),
            },
            FakeReply.Say("switched to the new request")
        );
        var (agent, runId) = await StartAsync(MidRunMessages.Interrupt);

        var accepted = await SendAsync(agent, runId, "stop, do this instead");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.True((await accepted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("queued").GetBoolean());
        var done = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("Completed", done.GetProperty("status").GetString());
        Assert.Equal("switched to the new request", done.GetProperty("output").GetString());

        var second = Messages(_model.Requests[1]);
        Assert.Equal(["system", "user", "user"], second.Select(m => m.Role));
        Assert.Equal("stop, do this instead", second[2].Content);
        var steps = await StepsAsync(runId);
        Assert.Equal(
            [
                "llm_request_prepared",
                "user_message",
                "model_call_discarded",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            steps.Select(s => s.Type)
        );

        // The cancelled call is on record with its usage unknown (never a silent 0); the totals are the answer's.
        var discarded = SkeinJsonContent(steps[2]);
        Assert.Equal(Core.Steps.ModelCallDiscardedStep.Cancelled, discarded.GetProperty("reason").GetString());
        Assert.True(discarded.GetProperty("answer").GetProperty("usage_missing").GetBoolean());
        Assert.Equal(15, done.GetProperty("totalTokensUsed").GetInt64());

        // The session view shows the call as discarded, with its usage flagged unknown.
        var sessionId = done.GetProperty("sessionId").GetGuid();
        var cookies = await Polish.DashboardPages.SignedInCookiesAsync(Server);
        using var view = await Polish.DashboardPages.GetAsync(Server, $"/sessions/{sessionId}", cookies);
        var html = WebUtility.HtmlDecode(await view.Content.ReadAsStringAsync(Ct));
        Assert.Contains("Model call discarded", html);
        Assert.Contains($"data-discard-reason>{Core.Steps.ModelCallDiscardedStep.Cancelled}</p>", html);
        Assert.Contains("data-usage-missing", html);
    }

    [StoreFact]
    public async Task An_interrupted_streamed_answer_is_recorded_with_the_text_its_subscribers_already_saw()
    {
        using var deadline = StreamingRun.Deadline();
        var ct = deadline.Token;
        await using var model = await StreamingModelServer.StartAsync(ct);
        var (agent, runId, _, first) = await StreamingRun.StartAsync(
            Server,
            model,
            ct,
            new { active = true },
            MidRunMessages.Interrupt
        );
        using var live = await SseEventReader.OpenAsync(agent.Client, $"/v1/runs/{runId}/stream", null, ct);
        await live.UntilAsync(e => e.Subject == "engine.step.llm_request_prepared", ct);
        await first.SendAsync("Half an ", ct);
        await first.SendAsync("answer", ct);
        await live.UntilAsync(e => e.Subject == "engine.step.delta" && e.Data.GetProperty("index").GetInt32() == 1, ct);

        var accepted = await SendAsync(agent, runId, "stop, do this instead");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var second = await model.Calls.ReadAsync(ct);
        await second.SendAsync("switched", ct);
        await second.FinishAsync(10, 5, ct);
        var done = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("switched", done.GetProperty("output").GetString());

        // The stream showed the discarded call's text and then its record, not an answer that vanished.
        var discardedEvent = await live.UntilAsync(e => e.Subject == "engine.step.model_call_discarded", ct);
        var streamed = discardedEvent.Data.GetProperty("answer");
        Assert.Equal("Half an answer", streamed.GetProperty("message").GetString());
        Assert.True(streamed.GetProperty("usage_missing").GetBoolean());
        var steps = await StepsAsync(runId);
        var discarded = SkeinJsonContent(steps.Single(s => s.Type == "model_call_discarded"));
        Assert.Equal(Core.Steps.ModelCallDiscardedStep.Cancelled, discarded.GetProperty("reason").GetString());
        Assert.Equal("Half an answer", discarded.GetProperty("answer").GetProperty("message").GetString());

        // Never shown to the model: the new turn has the message, not the cut answer.
        Assert.Equal(
            ["system", "user", "user"],
            second.Request.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString())
        );
        Assert.DoesNotContain("Half an answer", second.Request.GetRawText());
    }

    [StoreFact]
    public async Task A_rejecting_version_answers_409_and_the_run_goes_on_unchanged()
    {
        _model.Enqueue(FakeReply.Say("done") with { Delay = TimeSpan.FromSeconds(4) });
        var (agent, runId) = await StartAsync(MidRunMessages.Reject);

        var refused = await SendAsync(agent, runId, "are you there?");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("midRunMessages: reject", problem.GetProperty("detail").GetString());
        var done = await Runs.WaitForAsync(agent.Client, runId, "Completed", "Failed");
        Assert.Equal("done", done.GetProperty("output").GetString());
        Assert.DoesNotContain("user_message", (await StepsAsync(runId)).Select(s => s.Type));
    }

    [StoreFact]
    public async Task The_version_api_keeps_the_policy_and_refuses_an_unknown_one()
    {
        var agent = await Server.CreateApiAgentAsync(new AgentSpec { State = VersionState.Testing });

        var bad = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/versions",
            new { settings = new { midRunMessages = "sometimes" } },
            Ct
        );
        var good = await Admin.PostAsJsonAsync(
            $"/api/agents/{agent.AgentId}/versions",
            new { settings = new { midRunMessages = "interrupt" } },
            Ct
        );

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("midRunMessages", await bad.Content.ReadAsStringAsync(Ct));
        Assert.True(good.IsSuccessStatusCode, await good.Content.ReadAsStringAsync(Ct));
        var version = await good.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("interrupt", version.GetProperty("midRunMessages").GetString());
    }

    /// <summary>Starts a run of an openai agent with <paramref name="policy"/> and waits until its first model call
    /// reached the provider (the run is then at work).</summary>
    private async Task<(ApiAgent Agent, Guid RunId)> StartAsync(MidRunMessages policy)
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = _model.BaseUrl,
                Model = "gpt-test",
                MidRunMessages = policy,
            },
            new { active = true }
        );
        var started = await Runs.StartAsync(agent.Client, agent.AgentId, new { task = "summarise" });
        var runId = started.GetProperty("runId").GetGuid();
        await Eventually.Get(() => Task.FromResult(_model.Requests.Count), n => n >= 1, what: "the first model call");
        return (agent, runId);
    }

    private static Task<HttpResponseMessage> SendAsync(ApiAgent agent, Guid runId, string text) =>
        agent.Client.PostAsJsonAsync($"/v1/runs/{runId}/messages", new { text }, Ct);

    private async Task<IReadOnlyList<Store.Rows.StepRow>> StepsAsync(Guid runId)
    {
        var queries = Server.Services.GetRequiredService<SessionQueries>();
        var sessionId = await queries.SessionOfRunAsync(runId, Ct);
        var detail = await queries.GetAsync(sessionId!.Value, Ct);
        return [.. detail!.Steps.Where(s => s.RunId == runId).OrderBy(s => s.Sequence)];
    }

    private static JsonElement SkeinJsonContent(Store.Rows.StepRow step) => Core.SkeinJson.Parse(step.Content);

    private static List<(string? Role, string? Content)> Messages(RecordedRequest request) =>
        [
            .. request
                .Json.GetProperty("messages")
                .EnumerateArray()
                .Select(m =>
                    (
                        m.GetProperty("role").GetString(),
                        m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String
                            ? c.GetString()
                            : null
                    )
                ),
        ];
}
