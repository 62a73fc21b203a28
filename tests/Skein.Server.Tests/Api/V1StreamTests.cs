using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

public sealed class V1StreamTests(ApiServers servers) : ApiTests(servers)
{
    public sealed record SseEvent(long Id, string Kind, string Subject, JsonElement Data);

    /// <summary>Parses SSE the way the Phrony client does: blocks split on a blank LF line, JSON in data:.</summary>
    public static List<SseEvent> Parse(string body)
    {
        Assert.DoesNotContain('\r', body);
        var events = new List<SseEvent>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            var data = string.Concat(
                lines.Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].TrimStart())
            );
            if (data.Length == 0)
            {
                continue;
            }

            // Transient events (engine.step.delta) have no id and are not part of the stored stream.
            if (lines.SingleOrDefault(l => l.StartsWith("id:", StringComparison.Ordinal)) is not { } idLine)
            {
                continue;
            }

            var id = long.Parse(idLine[3..].Trim());
            var json = JsonDocument.Parse(data).RootElement.Clone();
            Assert.True(DateTimeOffset.TryParse(json.GetProperty("ts").GetString(), out _));
            events.Add(
                new SseEvent(
                    id,
                    json.GetProperty("kind").GetString()!,
                    json.GetProperty("subject").GetString()!,
                    json.GetProperty("data")
                )
            );
        }

        return events;
    }

    private async Task<(ApiAgent Agent, Guid RunId)> FinishedRunAsync(object? trigger = null)
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new()
                    {
                        Text = "calling",
                        ToolCalls =
                        [
                            new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { a = 1 })),
                        ],
                    },
                    new() { Text = "done" },
                ],
            },
            trigger
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
        return (agent, runId);
    }

    private static async Task<string> ReadStreamAsync(HttpClient client, Guid runId, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/stream");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString());
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(timeout.Token);
    }

    [StoreFact]
    public async Task The_stream_replays_the_whole_session_and_ends_after_session_completed()
    {
        var (agent, runId) = await FinishedRunAsync();

        var events = Parse(await ReadStreamAsync(agent.Client, runId));

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        Assert.Equal("engine.session.started", events[0].Subject);
        Assert.Equal("engine.session.completed", events[^1].Subject);
        Assert.Contains(events, e => e.Subject == "engine.run.started" && e.Kind == "run");
        Assert.Contains(events, e => e.Subject == "engine.step.ToolCall" && e.Kind == "step");
        Assert.Contains(events, e => e.Subject == "engine.run.completed");
        Assert.All(events, e => Assert.StartsWith("engine.", e.Subject));
    }

    [StoreFact]
    public async Task Resuming_with_last_event_id_continues_without_gaps_or_duplicates()
    {
        var (agent, runId) = await FinishedRunAsync();
        var all = Parse(await ReadStreamAsync(agent.Client, runId));
        var cut = all[all.Count / 2].Id;

        var rest = Parse(await ReadStreamAsync(agent.Client, runId, cut));

        Assert.Equal(all.Where(e => e.Id > cut).Select(e => (e.Id, e.Subject)), rest.Select(e => (e.Id, e.Subject)));
    }

    [StoreFact]
    public async Task A_subscriber_sees_events_live_as_the_run_progresses()
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

        var streaming = ReadStreamAsync(agent.Client, runId);
        Assert.False(streaming.IsCompleted);
        var skipped = await agent.Client.PostAsync(
            $"/v1/runs/{runId}/skip-agent-wait",
            null,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.Accepted, skipped.StatusCode);

        var events = Parse(await streaming);
        Assert.Contains(events, e => e.Subject == "engine.step.ToolResult");
        Assert.Equal("engine.session.completed", events[^1].Subject);
        Assert.Equal(events.Select(e => e.Id).Order(), events.Select(e => e.Id));
    }

    [StoreFact]
    public async Task An_invalid_last_event_id_is_a_400()
    {
        var (agent, runId) = await FinishedRunAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/stream");
        request.Headers.Add("Last-Event-ID", "abc");
        var response = await agent.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [StoreFact]
    public async Task Output_only_redaction_hides_the_timeline_from_api_keys_but_not_from_the_dashboard()
    {
        var (agent, runId) = await FinishedRunAsync(new { exposeStepTimeline = false });

        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}/conversation",
            TestContext.Current.CancellationToken
        );
        var items = conversation.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["RunCompleted", "SessionCompleted"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal([1, 2], items.Select(i => i.GetProperty("ordinal").GetInt32()));
        var run = Assert.Single(conversation.GetProperty("runs").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("output").ValueKind);
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("session").GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, conversation.GetProperty("session").GetProperty("startContext").ValueKind);

        var events = Parse(await ReadStreamAsync(agent.Client, runId));
        Assert.All(events, e => Assert.Contains(e.Kind, new[] { "session", "run" }));
        Assert.Equal("engine.session.completed", events[^1].Subject);

        // Polling the run is not redacted, and the operator view shows every step.
        var polled = await agent.Client.GetFromJsonAsync<JsonElement>(
            $"/v1/runs/{runId}",
            TestContext.Current.CancellationToken
        );
        Assert.Equal("done", polled.GetProperty("output").GetString());
        var sessionId = conversation.GetProperty("session").GetProperty("id").GetGuid();
        var operatorView = await Server
            .CreateAdminClient()
            .GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", TestContext.Current.CancellationToken);
        Assert.Equal(7, operatorView.GetProperty("steps").GetArrayLength());
    }
}
