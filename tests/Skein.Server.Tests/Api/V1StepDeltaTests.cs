using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>
/// Streamed model answers on the session stream (SPEC section 12): while the model generates, live subscribers get
/// transient <c>engine.step.delta</c> events with no id, in order and before the committed <c>reasoning</c> step;
/// they are never replayed, and output-only redaction drops them. The model is a local OpenAI-compatible server
/// paced by the test.
/// </summary>
public sealed class V1StepDeltaTests(ApiServers servers) : ApiTests(servers)
{
    private const string Reasoning = "engine.step.reasoning";
    private const string Delta = "engine.step.delta";

    [StoreFact]
    public async Task Deltas_reach_a_live_client_in_order_without_ids_before_the_reasoning_step_and_are_never_replayed()
    {
        using var deadline = StreamingRun.Deadline();
        var ct = deadline.Token;
        await using var model = await StreamingModelServer.StartAsync(ct);
        var (agent, runId, _, call) = await StreamingRun.StartAsync(Server, model, ct);
        using var live = await SseEventReader.OpenAsync(agent.Client, $"/v1/runs/{runId}/stream", null, ct);
        var prepared = await live.UntilAsync(e => e.Subject == "engine.step.llm_request_prepared", ct);

        // Each piece reaches the client while the model is still answering.
        await call.SendAsync("Hello ", ct);
        var first = await live.NextAsync(ct);
        await call.SendAsync("streaming ", ct);
        await call.SendAsync("world.", ct);
        await call.FinishAsync(12, 3, ct);
        var rest = await live.RestAsync(ct);

        Assert.NotNull(first);
        List<SseFrame> afterPrepared = [first, .. rest];
        var deltas = afterPrepared.TakeWhile(e => e.Subject == Delta).ToList();
        Assert.Equal(["Hello ", "streaming ", "world."], deltas.Select(d => d.Data.GetProperty("text").GetString()));
        Assert.Equal([0, 1, 2], deltas.Select(d => d.Data.GetProperty("index").GetInt32()));
        Assert.All(deltas, d =>
        {
            Assert.Null(d.Id);
            Assert.DoesNotContain("id:", d.Raw, StringComparison.Ordinal);
            Assert.Equal("step", d.Kind);
            Assert.Equal(runId, d.Data.GetProperty("runId").GetGuid());
            Assert.Equal(1, d.Data.GetProperty("iteration").GetInt32());
        });
        var reasoning = afterPrepared[deltas.Count];
        Assert.Equal(Reasoning, reasoning.Subject);
        Assert.Equal("Hello streaming world.", reasoning.Data.GetProperty("message").GetString());
        Assert.Equal(15, reasoning.Data.GetProperty("tokens_used").GetInt64()); // the final usage chunk
        Assert.Equal(prepared.Id + 1, reasoning.Id);
        Assert.DoesNotContain(afterPrepared.Skip(deltas.Count), e => e.Subject == Delta || e.Id is null);
        Assert.Equal("engine.session.completed", afterPrepared[^1].Subject);

        // Not stored: neither a full replay nor a Last-Event-ID resume carries one.
        foreach (long? resume in new long?[] { null, prepared.Id })
        {
            using var again = await SseEventReader.OpenAsync(agent.Client, $"/v1/runs/{runId}/stream", resume, ct);
            var replayed = await again.RestAsync(ct);
            Assert.Contains(replayed, e => e.Subject == Reasoning);
            Assert.All(replayed, e => Assert.NotNull(e.Id));
            Assert.DoesNotContain(replayed, e => e.Subject == Delta);
        }
    }

    [StoreFact]
    public async Task An_output_only_key_gets_no_deltas_while_the_operator_stream_does()
    {
        using var deadline = StreamingRun.Deadline();
        var ct = deadline.Token;
        await using var model = await StreamingModelServer.StartAsync(ct);
        var (agent, runId, _, call) = await StreamingRun.StartAsync(
            Server,
            model,
            ct,
            trigger: new { exposeStepTimeline = false }
        );
        using var redacted = await SseEventReader.OpenAsync(agent.Client, $"/v1/runs/{runId}/stream", null, ct);
        using var operatorView = await SseEventReader.OpenAsync(Admin, $"/api/runs/{runId}/stream", null, ct);

        // Both streams are subscribed once they sent anything; the operator's has caught up with the request.
        await redacted.NextAsync(ct);
        await operatorView.UntilAsync(e => e.Subject == "engine.step.llm_request_prepared", ct);
        await call.SendAsync("hidden ", ct);
        Assert.Equal(Delta, (await operatorView.NextAsync(ct))?.Subject);
        await call.SendAsync("work", ct);
        await call.FinishAsync(5, 2, ct);

        var seen = await redacted.RestAsync(ct);
        Assert.Equal("engine.session.completed", seen[^1].Subject);
        Assert.DoesNotContain(redacted.Seen, e => e.Subject == Delta || e.Kind == "step" || e.Id is null);
    }
}
