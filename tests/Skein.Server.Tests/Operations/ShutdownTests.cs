using System.Diagnostics;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// SIGTERM ends open event streams at once and lets in-flight commits finish: with 50 streams open and runs in
/// the middle of a model call, the server exits in under 5 s, and every run completes after a restart.
/// </summary>
[RunsLong(19)]
public sealed class ShutdownTests
{
    [Fact]
    public async Task SigtermWithOpenStreamsExitsFastAndEveryRunResumes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await OpsScenario.StartAsync(null, ct);
        var agent = await TestData.CreateAgentAsync(
            world.Contexts,
            new AgentSpec { Script = [new ScriptTurn { Text = "slow answer", DelayMs = 3000 }] },
            ct
        );
        var runs = new List<Server.Api.Admin.AgentAdminEndpoints.StartRunResponse>();
        for (var i = 0; i < 10; i++)
        {
            runs.Add(await world.StartRunAsync(agent.AgentId, ct));
        }

        var streams = new List<Task>();
        var opened = new List<HttpResponseMessage>();
        for (var i = 0; i < 50; i++)
        {
            var run = runs[i % runs.Count];
            var response = await world.Server.Client.GetAsync(
                $"/api/runs/{run.RunId}/stream",
                HttpCompletionOption.ResponseHeadersRead,
                ct
            );
            Assert.True(response.IsSuccessStatusCode, $"stream answered {(int)response.StatusCode}");
            opened.Add(response);
            streams.Add(DrainAsync(response, ct));
        }

        var clock = Stopwatch.StartNew();
        await world.Server.TerminateAsync(TimeSpan.FromSeconds(30));
        var took = clock.Elapsed;
        Assert.True(took < TimeSpan.FromSeconds(5), $"exit took {took.TotalSeconds:0.00} s\n{world.Server.Output}");
        Assert.Equal(0, world.Server.ExitCode);
        await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(5), ct);

        await world.StartServerAsync(ct);
        foreach (var run in runs)
        {
            Assert.Equal("Completed", (await world.WaitForEndAsync(run.SessionId, ct)).Session.Status);
        }

        foreach (var response in opened)
        {
            response.Dispose();
        }
    }

    /// <summary>Reads a stream until the server ends it (a reset counts as ended too).</summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[4096];
            while (await body.ReadAsync(buffer, ct) > 0) { }
        }
        catch (HttpRequestException) { }
        catch (IOException) { }
    }
}
