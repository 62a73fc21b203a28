using System.Text.RegularExpressions;

namespace Skein.Server.Tests.Cli;

/// <summary>Issue 17's CLI: <c>skein tasks</c>, answers that show what they answer, short ids, and terminate asking
/// first.</summary>
public sealed partial class CliTests
{
    [StoreFact]
    public async Task Tasks_lists_pending_approvals_and_approve_takes_a_short_id_and_shows_the_task_first()
    {
        Assert.Equal(0, (await fx.RunAsync("apply", "-f", "hitl-agent.yaml", "--values", "hitl-values.yaml")).Code);
        var session = SessionIdPattern().Match((await fx.RunAsync("run", "refunds")).Out).Groups[1].Value;
        var shown = await Testing.Eventually.Get(
            () => fx.RunAsync("session", session[^8..]),
            r => r.Out.Contains("WaitingForHITL"),
            what: "the session to wait for its approval"
        );
        var taskId = TaskLinePattern().Match(shown.Out).Groups[1].Value;
        var shortTask = taskId.Replace("-", "", StringComparison.Ordinal)[^8..];

        var tasks = await fx.RunAsync("tasks");
        var approve = await fx.RunAsync("approve", shortTask, "--comment", "checked");

        Assert.Equal(0, tasks.Code);
        Assert.Matches(new Regex($@"task {shortTask}\s+approval\s+agent refunds\s+session {session[^8..]}"), tasks.Out);
        Assert.Contains("\"amount\":", tasks.Out);
        Assert.Equal(0, approve.Code);
        Assert.Contains("Approving:", approve.Out);
        Assert.Contains($"task {shortTask}  approval", approve.Out);
        Assert.True(
            approve.Out.IndexOf("Approving:", StringComparison.Ordinal)
                < approve.Out.IndexOf($"task {taskId} approved", StringComparison.Ordinal),
            approve.Out
        );
    }

    [StoreFact]
    public async Task Terminate_asks_first_and_only_yes_or_the_yes_option_terminates()
    {
        Assert.Equal(0, (await fx.RunAsync("apply", "-f", "hitl-agent.yaml", "--values", "hitl-values.yaml")).Code);
        var session = SessionIdPattern().Match((await fx.RunAsync("run", "refunds")).Out).Groups[1].Value;
        await Testing.Eventually.Get(
            () => fx.RunAsync("session", session),
            r => r.Out.Contains("WaitingForHITL"),
            what: "the session to wait"
        );

        var declined = await fx.RunWithInputAsync("n\n", "terminate", session[^8..]);
        var noAnswer = await fx.RunAsync("terminate", session);
        var stillWaiting = await fx.RunAsync("session", session);
        var agreed = await fx.RunWithInputAsync("y\n", "terminate", session[^8..]);

        Assert.Equal(1, declined.Code);
        Assert.Contains("Terminate this session?", declined.Out);
        Assert.Contains("not terminated", declined.Err);
        Assert.Equal(1, noAnswer.Code);
        Assert.Contains($"session {session}  WaitingForHITL", stillWaiting.Out);
        Assert.Equal(0, agreed.Code);
        Assert.Contains($"session {session}: Terminated", agreed.Out);
    }
}
