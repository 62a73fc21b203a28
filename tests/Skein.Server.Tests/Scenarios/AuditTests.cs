using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Server.Tests.Api;
using Skein.Store;
using Skein.Testing;

namespace Skein.Server.Tests.Scenarios;

public sealed class AuditTests(ApiServers servers) : ApiTests(servers)
{
    [StoreFact]
    public async Task The_session_audit_shows_who_answered_and_who_terminated()
    {
        var admin = Server.CreateAdminClient();
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [DemoRefundTool.ToolName, AskUserTools.Text],
                Script =
                [
                    new()
                    {
                        ToolCalls =
                        [
                            new ScriptToolCall(
                                AskUserTools.Text,
                                JsonSerializer.SerializeToElement(new { question = "Order number?" })
                            ),
                        ],
                    },
                    new()
                    {
                        ToolCalls =
                        [
                            new ScriptToolCall(
                                DemoRefundTool.ToolName,
                                JsonSerializer.SerializeToElement(new { amount = 1 })
                            ),
                        ],
                    },
                ],
            }
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL");
        var pending = await admin.GetFromJsonAsync<JsonElement>(
            "/api/tasks?status=Pending&kind=text",
            TestContext.Current.CancellationToken
        );
        var task = pending.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("runId").GetGuid() == runId);

        var answered = await admin.PostAsJsonAsync(
            $"/api/tasks/{task.GetProperty("id").GetGuid()}/answer",
            new { textValue = "A-42" },
            TestContext.Current.CancellationToken
        );
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL");
        var sessionId = (
            await agent.Client.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", TestContext.Current.CancellationToken)
        )
            .GetProperty("sessionId")
            .GetGuid();
        await admin.PostAsync($"/api/sessions/{sessionId}/terminate", null, TestContext.Current.CancellationToken);

        var audit = await admin.GetFromJsonAsync<JsonElement>(
            $"/api/sessions/{sessionId}/audit",
            TestContext.Current.CancellationToken
        );
        var entries = audit
            .GetProperty("items")
            .EnumerateArray()
            .Select(e => (Action: e.GetProperty("action").GetString(), Actor: e.GetProperty("actor").GetString()))
            .ToList();
        Assert.Contains(("user_task.answered", "operator:admin"), entries);
        Assert.Contains(("user_task.cancelled", "operator:admin"), entries);
        Assert.Contains(("session.status_changed", "operator:admin"), entries);
        var detail = await admin.GetFromJsonAsync<JsonElement>(
            $"/api/sessions/{sessionId}",
            TestContext.Current.CancellationToken
        );
        Assert.Equal(
            ["Completed", "Cancelled"],
            detail.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("status").GetString())
        );
    }

    [StoreFact]
    public async Task Changing_an_agent_s_execution_mode_is_recorded_in_the_audit_log()
    {
        _ = Server.Server;
        var contexts = Server.Services.GetRequiredService<IDbContextFactory<SkeinDbContext>>();
        var agent = await TestData.CreateAgentAsync(contexts, new AgentSpec(), CancellationToken.None);

        var response = await Server
            .CreateAdminClient()
            .PutAsJsonAsync(
                $"/api/agents/{agent.AgentId}/execution-mode",
                new { executionMode = "HITL" },
                TestContext.Current.CancellationToken
            );
        var bad = await Server
            .CreateAdminClient()
            .PutAsJsonAsync(
                $"/api/agents/{agent.AgentId}/execution-mode",
                new { executionMode = "Yolo" },
                TestContext.Current.CancellationToken
            );

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await using var db = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var entry = await db.AuditLog.SingleAsync(
            a => a.SubjectId == agent.AgentId,
            TestContext.Current.CancellationToken
        );
        Assert.Equal("agent.execution_mode_changed", entry.Action);
        Assert.Equal("operator:admin", entry.Actor);
        Assert.Contains("\"from\":\"Request\"", entry.Detail);
        Assert.Contains("\"to\":\"HITL\"", entry.Detail);
    }
}
