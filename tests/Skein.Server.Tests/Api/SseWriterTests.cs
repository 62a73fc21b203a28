using System.Net;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>The one SSE writer: the public and admin run streams frame the same events the same way, with the
/// same resume rule.</summary>
public sealed class SseWriterTests(ApiServers servers) : ApiTests(servers)
{
    private sealed record Frame(string? Event, string? Id, string Data);

    private static List<Frame> Frames(string body) =>
        [
            .. body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
                .Select(block => block.Split('\n'))
                .Select(lines => new Frame(Field(lines, "event"), Field(lines, "id"), Field(lines, "data") ?? "")),
        ];

    private static string? Field(string[] lines, string name) =>
        lines.FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..];

    private static async Task<HttpResponseMessage> StreamAsync(HttpClient client, string path, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.SendAsync(request, timeout.Token);
    }

    private async Task<(ApiAgent Agent, Guid RunId)> FinishedRunAsync()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script =
                [
                    new()
                    {
                        ToolCalls =
                        [
                            new ScriptToolCall(EchoTool.ToolName, JsonSerializer.SerializeToElement(new { a = 1 })),
                        ],
                    },
                    new() { Text = "done" },
                ],
            }
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
        return (agent, runId);
    }

    [StoreFact]
    public async Task The_public_and_admin_streams_send_the_same_frames_with_kind_as_event_type()
    {
        var (agent, runId) = await FinishedRunAsync();

        var v1 = await StreamAsync(agent.Client, $"/v1/runs/{runId}/stream", "2");
        var admin = await StreamAsync(Admin, $"/api/runs/{runId}/stream", "2");

        var v1Frames = Frames(await v1.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var adminFrames = Frames(await admin.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(v1Frames, adminFrames);
        Assert.Equal("3", v1Frames[0].Id);
        Assert.All(v1Frames, f =>
            Assert.Equal(JsonDocument.Parse(f.Data).RootElement.GetProperty("kind").GetString(), f.Event)
        );
    }

    [StoreFact]
    public async Task An_invalid_last_event_id_is_a_400_problem_on_the_admin_stream_too()
    {
        var (_, runId) = await FinishedRunAsync();

        var response = await StreamAsync(Admin, $"/api/runs/{runId}/stream", "-1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
