using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.SubAgents;

public class TreeOperatorTests : SubAgentTestBase
{
    [Fact]
    public async Task Terminate_fails_every_run_of_a_tree_with_a_child_at_work()
    {
        var slow = Name("slow");
        var child = await SubAgentAsync(slow, new ScriptTurn { Text = "never", DelayMs = 60_000 });
        var parent = await ParentAsync([child], [Calls((Tool(slow), new { input = "x" })), Says("done")]);
        var started = await Host.StartRunAsync(parent.AgentId);
        await Eventually.Get(
            async () => (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!,
            d => d.Runs.Count == 2,
            what: "the child to start"
        );

        var result = await Host.Actions.TerminateAsync(started.SessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok, result.Error?.Message);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Terminated");
        Assert.Equal(2, detail.Runs.Count);
        Assert.All(detail.Runs, r =>
        {
            Assert.Equal("Failed", r.Status);
            Assert.Equal("terminated by operator", r.Error);
        });
    }

    [Fact]
    public async Task Terminate_cancels_a_childs_pending_task()
    {
        var refunder = Name("refunder");
        var child = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Name = refunder,
                Mode = ExecutionMode.SubAgent,
                Description = "refunds",
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 5 })), Says("refunded")],
            }
        );
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(refunder), new { input = "refund" })), Says("done")],
            mode: ExecutionMode.HITL
        );
        var started = await Host.StartRunAsync(parent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");

        var result = await Host.Actions.TerminateAsync(started.SessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok, result.Error?.Message);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Terminated");
        Assert.All(detail.Runs, r => Assert.Equal("Failed", r.Status));
        var task = Assert.Single(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(started.SessionId, CancellationToken.None)
        );
        Assert.Equal("Cancelled", task.Status);
    }

    [Fact]
    public async Task Mark_complete_completes_every_run_of_a_waiting_tree()
    {
        var refunder = Name("refunder");
        var child = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Name = refunder,
                Mode = ExecutionMode.SubAgent,
                Description = "refunds",
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 5 })), Says("refunded")],
            }
        );
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(refunder), new { input = "refund" })), Says("done")],
            mode: ExecutionMode.HITL
        );
        var started = await Host.StartRunAsync(parent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");

        var result = await Host.Actions.MarkCompleteAsync(started.SessionId, "operator:ann", CancellationToken.None);

        Assert.True(result.Ok, result.Error?.Message);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        Assert.All(detail.Runs, r => Assert.Equal("Completed", r.Status));
    }
}
