using System.Text.Json;
using Skein.Engine.Models;
using Skein.Engine.Tools;
using Skein.Testing;
using Skein.Testing.Stores;

namespace Skein.Engine.Tests.Providers;

/// <summary>
/// Provider faults (SPEC section 12) against a local server speaking the OpenAI wire format: 429s park the run with
/// a <c>provider_backoff</c> step and its durable timer tries again (also after a restart) until the retry budget is
/// spent; malformed replies and tool arguments fail or refuse with a clear reason.
/// </summary>
public class ProviderFaultTests : EngineTestBase
{
    private const string Model = "gpt-test";
    private FakeOpenAiServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public override async ValueTask InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync(Ct);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Seconds instead of minutes: one in-process retry, then parked waits of 2 s.</summary>
    private static void Quick(EngineOptions o, TimeSpan budget)
    {
        o.ModelRetryAttempts = 1;
        o.ModelRetryDelay = TimeSpan.FromMilliseconds(10);
        o.ProviderBackoffDelay = TimeSpan.FromSeconds(2);
        o.ProviderBackoffMaxDelay = TimeSpan.FromSeconds(2);
        o.ProviderRetryBudget = budget;
        o.TimerPollInterval = TimeSpan.FromMilliseconds(200);
    }

    [Fact]
    public async Task A_provider_answering_429_parks_the_run_which_survives_a_restart_and_completes()
    {
        await UseHostAsync(configure: o => Quick(o, TimeSpan.FromMinutes(1)));
        _server.Enqueue(
            FakeReply.Error(429),
            FakeReply.Error(429),
            FakeReply.Error(429),
            FakeReply.Error(429),
            FakeReply.Say("recovered")
        );
        var agent = await Host.CreateAgentAsync(OpenAiAgent());
        var started = await Host.StartRunAsync(agent.AgentId);

        var parked = await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");
        Assert.Equal("WaitingForTimer", Assert.Single(parked.Runs).Status);
        var backoff = Content(Assert.Single(parked.Steps, s => s.Type == "provider_backoff"));
        Assert.Contains("429", backoff.GetProperty("reason").GetString());
        Assert.Equal(1, backoff.GetProperty("attempt").GetInt32());

        // A new host on the same store: its run supervisor finds the due back-off and tries again.
        await UseHostAsync(configure: o => Quick(o, TimeSpan.FromMinutes(1)));
        var done = await Host.WaitForStatusAsync(started.SessionId, "Completed", "Failed");

        Assert.Equal("Completed", done.Session.Status);
        Assert.Equal("\"recovered\"", done.Session.Output);
        Assert.Equal(
            ["llm_request_prepared", "provider_backoff", "provider_backoff", "reasoning", "output"],
            done.Steps.Select(s => s.Type)
        );
        var second = Content(done.Steps[2]);
        Assert.Equal(2, second.GetProperty("attempt").GetInt32());
        Assert.Equal(backoff.GetProperty("failing_since").GetString(), second.GetProperty("failing_since").GetString());
        Assert.Equal(5, _server.Requests.Count);
    }

    [Fact]
    public async Task A_provider_failing_past_the_retry_budget_fails_the_run_with_its_last_error()
    {
        await UseHostAsync(configure: o => Quick(o, TimeSpan.FromSeconds(2)));
        _server.Enqueue([.. Enumerable.Range(0, 20).Select(_ => FakeReply.Error(503))]);
        var agent = await Host.CreateAgentAsync(OpenAiAgent());

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        var error = Assert.Single(detail.Runs).Error;
        Assert.StartsWith("model provider error:", error);
        Assert.Contains("scripted failure 503", error);
        Assert.Contains(detail.Steps, s => s.Type == "provider_backoff");
        Assert.Equal("provider_backoff", detail.Steps[^1].Type);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_in_process_limit_parks_the_run_for_that_long()
    {
        await UseHostAsync(configure: o => Quick(o, TimeSpan.FromMinutes(5)));
        _server.Enqueue(FakeReply.Error(429) with { RetryAfterSeconds = 30 }, FakeReply.Say("later"));
        var agent = await Host.CreateAgentAsync(OpenAiAgent());
        var started = await Host.StartRunAsync(agent.AgentId);

        var parked = await Host.WaitForStatusAsync(started.SessionId, "WaitingForTimer");

        // Not retried in process (the provider asked for more than ModelRetryMaxDelay): the timer waits instead.
        Assert.Single(_server.Requests);
        var backoff = Content(Assert.Single(parked.Steps, s => s.Type == "provider_backoff"));
        var waited =
            backoff.GetProperty("next_attempt_at").GetDateTimeOffset()
            - backoff.GetProperty("failing_since").GetDateTimeOffset();
        Assert.Equal(30, waited.TotalSeconds, 0.01);
        var wakeAt = Assert.IsType<DateTime>(parked.Runs[0].WakeAt);
        var nextAttempt = backoff.GetProperty("next_attempt_at").GetDateTimeOffset().UtcDateTime;
        Assert.True(Math.Abs((wakeAt - nextAttempt).TotalMilliseconds) < 1, $"wake_at {wakeAt:O} vs {nextAttempt:O}");
    }

    [Fact]
    public async Task Malformed_tool_arguments_never_run_the_tool_and_the_model_reads_the_parse_problem()
    {
        _server.Enqueue(
            FakeReply.Call("call_cut", EchoTool.ToolName, """{"text":"hel"""),
            FakeReply.Say("sorry, resending")
        );
        var agent = await Host.CreateAgentAsync(OpenAiAgent() with { Operations = [EchoTool.ToolName] });

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = Content(Assert.Single(detail.Steps, s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        var error = result.GetProperty("error").GetString();
        Assert.StartsWith("invalid_arguments: the arguments of 'skein_echo' are not valid JSON", error);
        Assert.False(result.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null);

        // The model's next request carries the refusal as the call's tool message.
        var messages = _server.Requests[1].Json.GetProperty("messages").EnumerateArray().ToList();
        var tool = Assert.Single(messages, m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_cut", tool.GetProperty("tool_call_id").GetString());
        Assert.Contains("invalid_arguments", tool.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_reply_without_choices_fails_the_run_saying_so()
    {
        _server.Enqueue(
            new FakeReply
            {
                RawBody = """{"id":"chatcmpl-x","object":"chat.completion","created":1,"model":"gpt-test"}""",
            }
        );
        var agent = await Host.CreateAgentAsync(OpenAiAgent());

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        var error = Assert.Single(detail.Runs).Error;
        Assert.StartsWith("model provider error: the reply is malformed:", error);
        Assert.Contains("no choices", error);
    }

    private AgentSpec OpenAiAgent() =>
        new()
        {
            ProviderKind = ModelClientFactory.OpenAI,
            ProviderBaseUrl = _server.BaseUrl,
            ProviderApiKey = "sk-test",
            Model = Model,
        };
}

public sealed class ProviderFaultTestsOnPostgres : ProviderFaultTests
{
    protected override StoreKind StoreKind => StoreKind.Postgres;
}
