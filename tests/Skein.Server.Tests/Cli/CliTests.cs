using System.Text.RegularExpressions;

namespace Skein.Server.Tests.Cli;

/// <summary>The <c>skein</c> CLI as a process against a running server process.</summary>
[RunsLong(80, Slots = 2)]
public sealed partial class CliTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [StoreFact]
    public async Task Apply_plans_with_dry_run_applies_then_reports_everything_unchanged()
    {
        // Its own agent name: other tests of this class apply the sample as it is.
        var yaml = await File.ReadAllTextAsync(
            Path.Combine(fx.Work.Path, "request-agent.yaml"),
            TestContext.Current.CancellationToken
        );
        await File.WriteAllTextAsync(
            Path.Combine(fx.Work.Path, "dry-run.yaml"),
            yaml.Replace("order-status", "cli-dry-run"),
            TestContext.Current.CancellationToken
        );

        var dry = await fx.RunAsync("apply", "-f", "dry-run.yaml", "--values", "request-values.yaml", "--dry-run");
        var sessionsAfterDryRun = await fx.RunAsync("sessions", "--agent", "cli-dry-run");
        var applied = await fx.RunAsync("apply", "-f", "dry-run.yaml", "--values", "request-values.yaml");
        var again = await fx.RunAsync("apply", "-f", "dry-run.yaml", "--values", "request-values.yaml");

        Assert.Equal(0, dry.Code);
        Assert.Matches(@"create\s+agent\s+cli-dry-run", dry.Out);
        Assert.Contains("dry run, nothing written", dry.Out);
        Assert.Equal(1, sessionsAfterDryRun.Code);
        Assert.Contains("no agent named 'cli-dry-run'", sessionsAfterDryRun.Err);
        Assert.Equal(0, applied.Code);
        Assert.Equal(0, again.Code);
        Assert.Contains("Applied: 0 to create, 0 to update, 6 unchanged", again.Out);
    }

    [StoreFact]
    public async Task An_invalid_manifest_exits_non_zero_naming_path_and_line()
    {
        var yaml = await File.ReadAllTextAsync(
            Path.Combine(fx.Work.Path, "request-agent.yaml"),
            TestContext.Current.CancellationToken
        );
        await File.WriteAllTextAsync(
            Path.Combine(fx.Work.Path, "broken.yaml"),
            yaml.Replace("temperature: 0.2", "temperature: 5"),
            TestContext.Current.CancellationToken
        );

        var result = await fx.RunAsync("apply", "-f", "broken.yaml", "--values", "request-values.yaml");

        Assert.Equal(1, result.Code);
        Assert.Contains("versions[0].temperature: must be between 0 and 2 (line 48)", result.Err);
    }

    [StoreFact]
    public async Task Run_follow_streams_the_timeline_and_exits_zero_when_the_session_completes()
    {
        await fx.RunAsync("apply", "-f", "request-agent.yaml", "--values", "request-values.yaml");

        var run = await fx.RunAsync("run", "order-status", "--input", """{"orderId":"A-1001"}""", "--follow");

        Assert.True(run.Code == 0, run.Out + run.Err);
        Assert.Contains("tool call lookup_order", run.Out);
        Assert.Contains("session → Completed", run.Out);
        Assert.Contains("session Completed", run.Out);
        var sessionId = SessionIdPattern().Match(run.Out).Groups[1].Value;
        var listed = await fx.RunAsync("sessions", "--status", "Completed", "--agent", "order-status");
        var shown = await fx.RunAsync("session", sessionId);
        Assert.Contains(sessionId, listed.Out);
        Assert.Contains($"session {sessionId}  Completed", shown.Out);
        Assert.Contains("tool call lookup_order", shown.Out);
    }

    [StoreFact]
    public async Task Run_follow_exits_non_zero_when_the_session_fails()
    {
        var failing = """
            kind: phrony.manifest
            version: 1
            agents:
              - { manifestKey: f, name: cli-failing, executionMode: request, llmProviderName: scripted }
            versions:
              - agentManifestKey: f
                status: deployed
                versionLabel: v1
                llmModel: skein-scripted
                x-skein:
                  script:
                    - error: the model is down
            """;
        await File.WriteAllTextAsync(
            Path.Combine(fx.Work.Path, "failing.yaml"),
            failing,
            TestContext.Current.CancellationToken
        );
        Assert.Equal(0, (await fx.RunAsync("apply", "-f", "failing.yaml")).Code);

        var run = await fx.RunAsync("run", "cli-failing", "--follow");

        Assert.Equal(1, run.Code);
        Assert.Contains("session Failed", run.Out);
        Assert.Contains("the model is down", run.Out);
    }

    [StoreFact]
    public async Task A_followed_hitl_run_waits_for_skein_approve_then_completes()
    {
        Assert.Equal(0, (await fx.RunAsync("apply", "-f", "hitl-agent.yaml", "--values", "hitl-values.yaml")).Code);

        using var follow = await fx.StartAsync("run", "refunds", "--follow");
        var printed = await follow.WaitForOutputAsync("skein approve ");
        var taskId = TaskIdPattern().Match(printed).Groups[1].Value;
        var approve = await fx.RunAsync("approve", taskId);
        var code = await follow.ExitAsync();

        Assert.Equal(0, approve.Code);
        Assert.Contains($"task {taskId} approved", approve.Out);
        Assert.True(code == 0, follow.Stdout + follow.Stderr);
        Assert.Contains("session Completed", follow.Stdout);
    }

    [StoreFact]
    public async Task Complete_terminate_and_reject_act_on_waiting_sessions_and_report_conflicts()
    {
        Assert.Equal(0, (await fx.RunAsync("apply", "-f", "hitl-agent.yaml", "--values", "hitl-values.yaml")).Code);
        var first = SessionIdPattern().Match((await fx.RunAsync("run", "refunds")).Out).Groups[1].Value;
        var second = SessionIdPattern().Match((await fx.RunAsync("run", "refunds")).Out).Groups[1].Value;
        await Testing.Eventually.Get(
            () => fx.RunAsync("session", first),
            r => r.Out.Contains("WaitingForHITL"),
            what: "the first session to wait"
        );
        var waitingSecond = await Testing.Eventually.Get(
            () => fx.RunAsync("session", second),
            r => r.Out.Contains("WaitingForHITL"),
            what: "the second session to wait"
        );

        var completed = await fx.RunAsync("complete", first);
        var terminateFinished = await fx.RunAsync("terminate", first, "--yes");
        var secondTask = TaskLinePattern().Match(waitingSecond.Out).Groups[1].Value;
        var rejected = await fx.RunAsync("reject", secondTask);

        Assert.Equal((0, $"session {first}: Completed"), (completed.Code, completed.Out.Trim()));
        Assert.Equal(1, terminateFinished.Code);
        Assert.Contains("409", terminateFinished.Err);
        Assert.Equal(0, rejected.Code);
    }

    [StoreFact]
    public async Task Export_prints_the_agents_manifest()
    {
        await fx.RunAsync("apply", "-f", "request-agent.yaml", "--values", "request-values.yaml");

        var export = await fx.RunAsync("export", "order-status");

        Assert.Equal(0, export.Code);
        Assert.StartsWith("kind: phrony.manifest", export.Out);
        Assert.Contains("name: lookup_order", export.Out);
    }

    [StoreFact]
    public async Task A_wrong_token_or_unreachable_server_is_a_clear_error()
    {
        using var wrong = CliProcess.Start(
            (await fx.ServerAsync()).BaseAddress,
            "not-the-token",
            fx.Work.Path,
            "sessions"
        );
        using var down = CliProcess.Start(new Uri("http://127.0.0.1:9"), CliFixture.Token, fx.Work.Path, "sessions");

        Assert.Equal(1, await wrong.ExitAsync());
        Assert.Contains("401 unauthorized", wrong.Stderr);
        Assert.Equal(1, await down.ExitAsync());
        Assert.Contains("cannot reach the Skein server", down.Stderr);
    }

    [GeneratedRegex(@"session\s+([0-9a-f-]{36})")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex(@"skein approve ([0-9a-f-]{36})")]
    private static partial Regex TaskIdPattern();

    [GeneratedRegex(@"task ([0-9a-f-]{36})\s+approval\s+Pending")]
    private static partial Regex TaskLinePattern();
}
