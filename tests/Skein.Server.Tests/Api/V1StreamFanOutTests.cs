using System.Net;
using System.Net.Http.Json;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>Many subscribers of one live session share the events this node commits (the notifier's tail).</summary>
public sealed class V1StreamFanOutTests(ApiServers servers) : ApiTests(servers)
{
    private const int Messages = 3;

    private async Task<(ApiAgent Agent, Guid SessionId, Guid RunId)> WaitingConversationAsync()
    {
        var echo = new ScriptTurn
        {
            ToolCalls = [new ScriptToolCall(EchoTool.ToolName)],
            InputTokens = 1,
            OutputTokens = 1,
        };
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Conversation = ConversationMode.MultiTurn,
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new() { Text = "ready" },
                    .. Enumerable
                        .Range(1, Messages + 2)
                        .SelectMany(i =>
                            new[]
                            {
                                echo,
                                new ScriptTurn { Text = $"answer {i}" },
                            }
                        ),
                ],
                Limits = new RunLimits { MaxIterations = 50, MaxToolCalls = 50 },
            }
        );
        var started = await Runs.StartAsync(agent.Client, agent.AgentId);
        var runId = started.GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForResponse");
        return (agent, started.GetProperty("sessionId").GetGuid(), runId);
    }

    /// <summary>Returns once the server has subscribed (headers are sent after subscribing); the task reads to the
    /// end.</summary>
    private static async Task<Task<string>> SubscribeAsync(HttpClient client, Guid runId, long? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/stream");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString());
        }

        var response = await client.SendAsync(
            request,
            HttpCompletionOption.ResponseHeadersRead,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ReadToEndAsync(response);
    }

    private static async Task<string> ReadToEndAsync(HttpResponseMessage response)
    {
        using (response)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            return await response.Content.ReadAsStringAsync(timeout.Token);
        }
    }

    private static async Task SendAsync(ApiAgent agent, Guid runId, string text)
    {
        var sent = await agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new { text },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForResponse");
    }

    private async Task TerminateAsync(Guid sessionId)
    {
        var terminated = await Admin.PostAsync(
            $"/api/sessions/{sessionId}/terminate",
            null,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, terminated.StatusCode);
    }

    [StoreFact]
    public async Task Every_live_subscriber_receives_every_event_once_in_order()
    {
        var (agent, sessionId, runId) = await WaitingConversationAsync();
        var streams = new List<Task<string>>();
        for (var i = 0; i < 20; i++)
        {
            streams.Add(await SubscribeAsync(Server.CreateApiClient(agent.Key), runId));
        }

        for (var i = 1; i <= Messages; i++)
        {
            await SendAsync(agent, runId, $"message {i}");
        }

        await TerminateAsync(sessionId);

        var received = (await Task.WhenAll(streams)).Select(V1StreamTests.Parse).ToList();
        var first = received[0];
        Assert.Equal(Enumerable.Range(1, first.Count).Select(i => (long)i), first.Select(e => e.Id));
        Assert.Equal("engine.session.completed", first[^1].Subject);
        Assert.Equal(Messages, first.Count(e => e.Subject == "engine.step.user_message"));
        Assert.All(received, events =>
            Assert.Equal(first.Select(e => (e.Id, e.Subject)), events.Select(e => (e.Id, e.Subject)))
        );
    }

    [StoreFact]
    public async Task A_subscriber_resuming_while_others_stream_live_gets_exactly_the_rest()
    {
        var (agent, sessionId, runId) = await WaitingConversationAsync();
        var live = await SubscribeAsync(agent.Client, runId);
        await SendAsync(agent, runId, "before the resume");

        // The resumed stream replays 4.. from the store, then continues from the tail the live one fills.
        const long cut = 3;
        var resumed = await SubscribeAsync(Server.CreateApiClient(agent.Key), runId, cut);
        await SendAsync(agent, runId, "after the resume");
        await TerminateAsync(sessionId);

        var everything = V1StreamTests.Parse(await live);
        var rest = V1StreamTests.Parse(await resumed);
        Assert.Equal(
            everything.Where(e => e.Id > cut).Select(e => (e.Id, e.Subject)),
            rest.Select(e => (e.Id, e.Subject))
        );
        Assert.Contains(rest, e => e.Subject == "engine.step.user_message");
    }

    [StoreFact]
    public async Task Events_streamed_live_are_identical_to_their_later_replay_from_the_store()
    {
        var (agent, sessionId, runId) = await WaitingConversationAsync();
        var live = await SubscribeAsync(agent.Client, runId);
        await SendAsync(agent, runId, "one");
        await TerminateAsync(sessionId);

        var streamed = await live;
        var replayed = await (await SubscribeAsync(Server.CreateApiClient(agent.Key), runId)).WaitAsync(
            TestContext.Current.CancellationToken
        );

        // Model text deltas are transient (no id, never stored): only live subscribers get them.
        var stored = string.Concat(
            streamed
                .Split("\n\n")
                .Where(b => b.Length > 0 && !b.Contains("\"engine.step.delta\"", StringComparison.Ordinal))
                .Select(b => b + "\n\n")
        );
        Assert.Equal(replayed, stored);
        Assert.Contains("engine.step.ToolResult", streamed);
    }
}
