using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Testing;

namespace Skein.Engine.Tests.SubAgents;

public class SubAgentBoundsTests : SubAgentTestBase
{
    [Fact]
    public async Task A_dispatch_beyond_max_depth_is_a_tool_error_to_the_caller()
    {
        var leaf = Name("leaf");
        var middle = Name("middle");
        var leafAgent = await SubAgentAsync(leaf, Says("leaf done"));
        var middleAgent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Name = middle,
                Mode = ExecutionMode.SubAgent,
                Description = "middle",
                AllowedSubAgents = [leafAgent.AgentId],
                Script = [Calls((Tool(leaf), new { input = "go deeper" })), Says("middle: {{tool_result}}")],
            }
        );
        await using (var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            await db.Workspaces.ExecuteUpdateAsync(
                w => w.SetProperty(x => x.MaxSubAgentDepth, 1),
                TestContext.Current.CancellationToken
            );
        }

        var parent = await ParentAsync([middleAgent], [Calls((Tool(middle), new { input = "go" })), Says("root done")]);

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var mid = Assert.Single(Children(detail, Root(detail).Id));
        Assert.Empty(Children(detail, mid.Id));
        var refused = StepsOf(detail, mid.Id).Single(s => s.Type == "ToolResult");
        Assert.StartsWith("max_depth_exceeded", refused.Error);
        Assert.Contains("max_depth_exceeded", mid.Output);
    }

    [Fact]
    public async Task A_dispatch_to_an_agent_in_the_ancestor_chain_is_refused_as_a_cycle()
    {
        var loop = Name("loop");
        var loopAgent = await SubAgentAsync(loop);
        await using (var db = await Host.Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            // The API refuses a self-reference; written directly, the engine must still refuse the dispatch.
            var version = await db.AgentVersions.SingleAsync(
                v => v.AgentId == loopAgent.AgentId,
                TestContext.Current.CancellationToken
            );
            version.CanExecuteSubAgents = true;
            version.AllowedSubAgents = $"[\"{loopAgent.AgentId}\"]";
            version.Script = System.Text.Json.JsonSerializer.Serialize(
                new[] { Calls((Tool(loop), new { input = "again" })), Says("loop: {{tool_result}}") },
                Core.SkeinJson.Options
            );
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var parent = await ParentAsync([loopAgent], [Calls((Tool(loop), new { input = "go" })), Says("root done")]);

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var child = Assert.Single(Children(detail, Root(detail).Id));
        Assert.Empty(Children(detail, child.Id));
        Assert.StartsWith("subagent_cycle", StepsOf(detail, child.Id).Single(s => s.Type == "ToolResult").Error);
    }

    [Fact]
    public async Task The_session_token_limit_counts_the_whole_tree()
    {
        var hungry = Name("hungry");
        var child = await SubAgentAsync(hungry, Says("ate a lot", tokens: 500));
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(hungry), new { input = "eat" })), Says("root done")],
            customize: s => s with { Limits = new RunLimits { MaxSessionTokens = 100 } }
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Failed", detail.Session.Status);
        Assert.StartsWith("max_session_tokens_exceeded", detail.Session.Error);
        Assert.All(detail.Runs, r => Assert.Equal("Failed", r.Status));
        Assert.True(Root(detail).TotalTokensUsed < 100, "the root alone stayed under the limit");
    }
}
