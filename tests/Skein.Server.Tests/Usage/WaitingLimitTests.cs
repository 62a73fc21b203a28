using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Skein.Core.Agents;
using Skein.Core.Limits;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Server.Tests.Usage;

/// <summary>
/// SPEC section 3 limits while nothing runs: a session waiting on a person fails <c>session_duration_exceeded</c>
/// once its <c>maxSessionDurationSec</c> passes (a durable deadline the run supervisor acts on), and the plan's cap
/// on tool calls per run applies when it is stricter than the version's maxToolCalls.
/// </summary>
public sealed class WaitingLimitTests(ApiServers servers) : ApiTests(servers)
{
    private static ScriptTurn Call(string tool) =>
        new()
        {
            ToolCalls = [new ScriptToolCall(tool, JsonSerializer.SerializeToElement(new { n = 1 }))],
            InputTokens = 1,
            OutputTokens = 1,
        };

    [StoreFact]
    public async Task A_session_waiting_on_a_person_fails_on_time_when_its_duration_passes()
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [DemoRefundTool.ToolName],
                Script = [Call(DemoRefundTool.ToolName), new ScriptTurn { Text = "refunded" }],
                Limits = new RunLimits { MaxSessionDurationSec = 8 },
            }
        );
        var clock = Stopwatch.StartNew();
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL");

        var failed = await Runs.WaitForAsync(agent.Client, runId, "Failed");

        Assert.StartsWith(LimitCodes.SessionDuration, failed.GetProperty("error").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"failed after {clock.Elapsed}");
        var conversation = await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}/conversation", Ct);
        var session = conversation.GetProperty("session");
        Assert.Equal("Failed", session.GetProperty("status").GetString());
        Assert.StartsWith(LimitCodes.SessionDuration, session.GetProperty("error").GetString());
        var sessionId = session.GetProperty("id").GetGuid();
        var detail = await Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}", Ct);
        Assert.All(detail.GetProperty("tasks").EnumerateArray(), t =>
            Assert.Equal("Cancelled", t.GetProperty("status").GetString())
        );
    }

    [StoreFact]
    public async Task The_plan_cap_on_tool_calls_applies_when_stricter_than_the_version()
    {
        await SetPlanCapAsync(2);
        try
        {
            var planCapped = await Server.CreateApiAgentAsync(
                new AgentSpec
                {
                    Operations = [EchoTool.ToolName],
                    Script = [Call(EchoTool.ToolName), Call(EchoTool.ToolName), Call(EchoTool.ToolName)],
                }
            );
            var versionCapped = await Server.CreateApiAgentAsync(
                new AgentSpec
                {
                    Operations = [EchoTool.ToolName],
                    Script = [Call(EchoTool.ToolName), Call(EchoTool.ToolName), Call(EchoTool.ToolName)],
                    Limits = new RunLimits { MaxToolCalls = 1 },
                }
            );

            var byPlan = await RunToFailureAsync(planCapped);
            var byVersion = await RunToFailureAsync(versionCapped);

            Assert.Equal(
                $"{LimitCodes.MaxToolCalls}: run reached the plan's max tool calls per run (2)",
                byPlan.GetProperty("error").GetString()
            );
            Assert.Equal(
                $"{LimitCodes.MaxToolCalls}: run reached maxToolCalls (1)",
                byVersion.GetProperty("error").GetString()
            );
        }
        finally
        {
            await SetPlanCapAsync(null);
        }
    }

    private static async Task<JsonElement> RunToFailureAsync(ApiAgent agent)
    {
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        return await Runs.WaitForAsync(agent.Client, runId, "Failed", "Completed");
    }

    /// <summary>The plan limit as the Settings page stores it (the workspace row); the catalog sees the write at
    /// once.</summary>
    private async Task SetPlanCapAsync(int? cap)
    {
        await using var db = await Server.Contexts.CreateDbContextAsync(Ct);
        var tenant = await TestData.EnsureWorkspaceAsync(db, Ct);
        var ws = await db.Workspaces.SingleAsync(w => w.Id == tenant, Ct);
        ws.MaxToolCallsPerRun = cap;
        await db.SaveChangesAsync(Ct);
    }
}
