using Skein.Core.Agents;

namespace Skein.Engine.Tests.SubAgents;

public class SubAgentParallelTests : SubAgentTestBase
{
    [Fact]
    public async Task Parallel_runs_calls_to_the_same_sub_agent_together_and_different_ones_in_turn()
    {
        var slow = Name("slow");
        var other = Name("other");
        ScriptTurn Slow(string text) =>
            new()
            {
                Text = text,
                DelayMs = 400,
                InputTokens = 1,
                OutputTokens = 1,
            };
        var slowAgent = await SubAgentAsync(slow, Slow("slow done"));
        var otherAgent = await SubAgentAsync(other, Slow("other done"));
        var parent = await ParentAsync(
            [slowAgent, otherAgent],
            [
                Calls(
                    (Tool(slow), new { input = "a" }),
                    (Tool(other), new { input = "c" }),
                    (Tool(slow), new { input = "b" })
                ),
                Says("all done"),
            ],
            model: SubAgentExecutionModel.Parallel
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var root = Root(detail);
        var children = Children(detail, root.Id);
        Assert.Equal(3, children.Count);
        var slows = children.Where(c => c.AgentId == slowAgent.AgentId).ToList();
        var others = children.Where(c => c.AgentId == otherAgent.AgentId).ToList();
        Assert.Equal(2, slows.Count);
        var only = Assert.Single(others);

        // The two calls to the same sub-agent overlap in time; the other sub-agent starts after both finished.
        Assert.True(slows[0].StartedAt < slows[1].FinishedAt && slows[1].StartedAt < slows[0].FinishedAt);
        Assert.True(
            only.StartedAt >= slows.Max(s => s.FinishedAt!.Value),
            $"{only.StartedAt:O} vs {string.Join(",", slows.Select(s => $"{s.StartedAt:O}-{s.FinishedAt:O}"))}"
        );

        var steps = StepsOf(detail, root.Id);
        var calls = steps.Where(s => s.Type == "SubAgentCall").Select(ContentOf).ToList();
        Assert.Equal(3, calls.Count);
        Assert.Single(calls.Select(c => c.GetProperty("group_id").GetGuid()).Distinct());

        // Every result lands before the parent's next model turn: the parent continues once, with all of them.
        var lastResult = steps.Last(s => s.Type == "SubAgentResult").Sequence;
        var nextTurn = steps.Where(s => s.Type == "llm_request_prepared").ElementAt(1).Sequence;
        Assert.Equal(3, steps.Count(s => s.Type == "SubAgentResult" && s.Sequence < nextTurn));
        Assert.True(lastResult < nextTurn);
        AssertGapFree(detail);
    }
}
