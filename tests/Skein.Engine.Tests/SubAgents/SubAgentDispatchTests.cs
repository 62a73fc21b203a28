using Skein.Core.Agents;

namespace Skein.Engine.Tests.SubAgents;

public class SubAgentDispatchTests : SubAgentTestBase
{
    [Fact]
    public async Task A_parent_calls_a_child_and_answers_with_its_output()
    {
        var researcher = Name("researcher");
        var child = await SubAgentAsync(researcher, Says("the sky is blue"));
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(researcher), new { input = "what colour is the sky?" })), Says("Parent says: {{tool_result}}")]
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Contains("Parent says: the sky is blue", detail.Session.Output);
        var root = Root(detail);
        var kid = Assert.Single(Children(detail, root.Id));
        Assert.Equal(1, kid.Depth);
        Assert.Equal(child.AgentId, kid.AgentId);
        Assert.Equal(child.VersionId, kid.AgentVersionId);
        Assert.Equal("Completed", kid.Status);
        Assert.Contains("what colour is the sky?", kid.Input);

        var steps = StepsOf(detail, root.Id);
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "SubAgentCall",
                "SubAgentResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            steps.Select(s => s.Type)
        );
        var call = ContentOf(steps[2]);
        Assert.Equal(kid.Id, call.GetProperty("child_run_id").GetGuid());
        Assert.Equal(researcher, call.GetProperty("agent_name").GetString());
        Assert.Equal(child.AgentId, call.GetProperty("agent_id").GetGuid());
        Assert.True(call.TryGetProperty("group_id", out _));
        var result = ContentOf(steps[3]);
        Assert.Equal("Completed", result.GetProperty("status").GetString());
        Assert.Equal("the sky is blue", result.GetProperty("output").GetString());
        Assert.True(result.GetProperty("tokens_used").GetInt64() > 0);
        Assert.True(result.TryGetProperty("duration_ms", out _));
        Assert.Equal(detail.Runs.Sum(r => r.TotalTokensUsed), detail.Session.TotalTokensUsed);
        AssertGapFree(detail);
    }

    [Fact]
    public async Task A_child_failure_is_the_parents_result_and_the_session_completes()
    {
        var flaky = Name("flaky");
        var child = await SubAgentAsync(flaky, new ScriptTurn { Error = "model exploded" });
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(flaky), new { input = "try" })), Says("it failed: {{tool_result}}")]
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var kid = Assert.Single(Children(detail, Root(detail).Id));
        Assert.Equal("Failed", kid.Status);
        var result = ContentOf(StepsOf(detail, Root(detail).Id).Single(s => s.Type == "SubAgentResult"));
        Assert.Equal("Failed", result.GetProperty("status").GetString());
        Assert.Contains("model exploded", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Sequential_refuses_a_second_sub_agent_call_in_one_turn()
    {
        var worker = Name("worker");
        var child = await SubAgentAsync(worker, Says("done"));
        var parent = await ParentAsync(
            [child],
            [Calls((Tool(worker), new { input = "one" }), (Tool(worker), new { input = "two" })), Says("finished")]
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Single(Children(detail, Root(detail).Id));
        var refused = StepsOf(detail, Root(detail).Id).Single(s => s.Type == "ToolResult");
        Assert.Contains("at most one sub-agent call per model turn", refused.Error);
    }
}
