using System.Text.Json;
using Skein.Core.Agents;
using Skein.Store.Rows;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.SubAgents;

/// <summary>Run trees on the scripted model: a parent agent wired to sub-agents, and reading the tree back.</summary>
public abstract class SubAgentTestBase : EngineTestBase
{
    protected Task<CreatedAgent> SubAgentAsync(string name, params ScriptTurn[] script) =>
        Host.CreateAgentAsync(
            new AgentSpec
            {
                Name = name,
                Mode = ExecutionMode.SubAgent,
                Description = $"The {name} sub-agent.",
                Script = script,
            }
        );

    protected Task<CreatedAgent> ParentAsync(
        IReadOnlyList<CreatedAgent> subAgents,
        IReadOnlyList<ScriptTurn> script,
        ExecutionMode mode = ExecutionMode.Request,
        SubAgentExecutionModel model = SubAgentExecutionModel.Sequential,
        Func<AgentSpec, AgentSpec>? customize = null
    )
    {
        var spec = new AgentSpec
        {
            Name = "parent-" + Guid.NewGuid().ToString("N")[..8],
            Mode = mode,
            AllowedSubAgents = [.. subAgents.Select(s => s.AgentId)],
            SubAgentExecutionModel = model,
            Script = script,
        };
        return Host.CreateAgentAsync(customize is null ? spec : customize(spec));
    }

    protected static string Tool(string agentName) => "subagent_" + agentName;

    protected static string Name(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    protected static IReadOnlyList<StepRow> StepsOf(SessionDetail detail, Guid runId) =>
        [.. detail.Steps.Where(s => s.RunId == runId).OrderBy(s => s.Sequence)];

    protected static JsonElement ContentOf(StepRow step) => JsonDocument.Parse(step.Content).RootElement.Clone();

    protected static RunRow Root(SessionDetail detail) => detail.Runs.Single(r => r.Depth == 0);

    protected static IReadOnlyList<RunRow> Children(SessionDetail detail, Guid parentId) =>
        [.. detail.Runs.Where(r => r.ParentRunId == parentId).OrderBy(r => r.StartedAt)];

    /// <summary>Every run's steps are numbered 1..n without a gap or a repeat.</summary>
    protected static void AssertGapFree(SessionDetail detail)
    {
        foreach (var run in detail.Runs)
        {
            var sequences = StepsOf(detail, run.Id).Select(s => s.Sequence).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count), sequences);
        }
    }

    protected static ScriptTurn Ask(string question) =>
        new()
        {
            Text = "asking",
            ToolCalls = [new ScriptToolCall("ask_parent", JsonSerializer.SerializeToElement(new { question }))],
            InputTokens = 1,
            OutputTokens = 1,
        };
}
