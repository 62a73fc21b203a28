using System.Text.Json;

namespace Skein.Server.Tests.Cli;

public sealed partial class CliTests
{
    [StoreFact]
    public async Task Sessions_search_finds_a_session_and_rerun_and_fork_start_new_ones_from_it()
    {
        await fx.RunAsync("apply", "-f", "request-agent.yaml", "--values", "request-values.yaml");
        var word = "cli" + Guid.NewGuid().ToString("N")[..10];
        var run = await fx.RunAsync("run", "order-status", "--input", $$"""{"orderId":"{{word}}"}""", "--follow");
        var sessionId = SessionIdPattern().Match(run.Out).Groups[1].Value;

        var found = await fx.RunAsync("sessions", "--search", word);
        Assert.True(found.Code == 0, found.Out + found.Err);
        Assert.Contains(sessionId, found.Out);
        Assert.DoesNotContain(sessionId, (await fx.RunAsync("sessions", "--search", word + "x")).Out);

        var rerun = await fx.RunAsync("rerun", sessionId);
        Assert.True(rerun.Code == 0, rerun.Out + rerun.Err);
        Assert.Matches("^session [0-9a-f-]{36} run [0-9a-f-]{36}", rerun.Out);

        var detail = JsonDocument.Parse((await fx.RunAsync("session", sessionId, "--json")).Out).RootElement;
        var from = detail
            .GetProperty("steps")
            .EnumerateArray()
            .First(s => s.GetProperty("type").GetString() == "ToolResult")
            .GetProperty("eventSequence")
            .GetInt64();
        var fork = await fx.RunAsync(
            "fork",
            sessionId,
            "--from",
            from.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Assert.True(fork.Code == 0, fork.Out + fork.Err);
        Assert.Matches("^session [0-9a-f-]{36} run [0-9a-f-]{36}", fork.Out);
        var refused = await fx.RunAsync("fork", sessionId, "--from", "99999");
        Assert.NotEqual(0, refused.Code);
    }
}
