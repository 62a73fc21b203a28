using System.Text.Json;
using Skein.Core.Agents;
using Skein.Testing;

namespace Skein.Server.Tests.Operations;

/// <summary>
/// A failing tool or model call is logged as one Warning line per failed attempt with its reason; no stack trace
/// at the default levels.
/// </summary>
public sealed class RetryLoggingTests
{
    [Fact]
    public async Task FailedAttemptsAreOneLineEachWithoutStackTraces()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        // No provider retry budget: the failing model fails its run at once instead of parking it (SPEC 12).
        await using var world = await OpsScenario.StartAsync(
            new Dictionary<string, string> { ["Skein__Engine__ProviderRetryBudget"] = "00:00:00" },
            ct
        );
        await TestData.AddOperationAsync(
            world.Contexts,
            new OperationSpec("flaky", receiver.BaseUrl, Path: "/unavailable/tool") { Idempotent = true },
            ct
        );
        var tooling = await TestData.CreateAgentAsync(
            world.Contexts,
            new AgentSpec
            {
                Operations = ["flaky"],
                Script =
                [
                    new ScriptTurn
                    {
                        ToolCalls = [new ScriptToolCall("flaky", JsonSerializer.SerializeToElement(new { a = 1 }))],
                    },
                    new ScriptTurn { Text = "gave up" },
                ],
            },
            ct
        );
        var model = await TestData.CreateAgentAsync(
            world.Contexts,
            new AgentSpec
            {
                ProviderKind = "openai",
                ProviderBaseUrl = receiver.BaseUrl + "/unavailable/v1",
                Model = "gpt-test",
            },
            ct
        );

        var toolRun = await world.StartRunAsync(tooling.AgentId, ct);
        Assert.Equal("Completed", (await world.WaitForEndAsync(toolRun.SessionId, ct)).Session.Status);
        var modelRun = await world.StartRunAsync(model.AgentId, ct);
        Assert.Equal("Failed", (await world.WaitForEndAsync(modelRun.SessionId, ct)).Session.Status);

        var lines = world.Server.Output.Split('\n');
        Assert.Equal(2, lines.Count(l => l.Contains("Tool call attempt", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.Contains("Model call attempt", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("Tool call attempt 1 failed: HTTP 503", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Model call failed: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
