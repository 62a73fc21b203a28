using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Engine.Tools;
using Skein.Server.Tests.Crash;
using Skein.Testing;

namespace Skein.Server.Tests.Api;

/// <summary>Which user tasks an API key may answer (issue #15 item 12): never a guard's anomaly review, and
/// approvals only while the api trigger allows it.</summary>
public sealed class V1AnswerPolicyTests(ApiServers servers) : ApiTests(servers)
{
    private static ScriptTurn Call(string tool) =>
        new() { ToolCalls = [new ScriptToolCall(tool, JsonSerializer.SerializeToElement(new { amount = 5 }))] };

    private async Task<(ApiAgent Agent, Guid RunId, Guid TaskId)> WaitingTaskAsync(
        string tool,
        string guardRules = "[]",
        object? triggerSettings = null
    )
    {
        var agent = await Server.CreateApiAgentAsync(
            new AgentSpec
            {
                Mode = ExecutionMode.HITL,
                Operations = [tool],
                GuardRules = guardRules,
                Script = [Call(tool), new ScriptTurn { Text = "done" }],
            },
            triggerSettings
        );
        var runId = (await Runs.StartAsync(agent.Client, agent.AgentId)).GetProperty("runId").GetGuid();
        await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL");
        var tasks = await Admin.GetFromJsonAsync<JsonElement>("/api/tasks?status=Pending", Ct);
        var taskId = tasks
            .GetProperty("items")
            .EnumerateArray()
            .Single(t => t.GetProperty("runId").GetGuid() == runId)
            .GetProperty("id")
            .GetGuid();
        return (agent, runId, taskId);
    }

    private static Task<HttpResponseMessage> ApproveOverV1Async(ApiAgent agent, Guid runId, Guid taskId) =>
        agent.Client.PostAsJsonAsync(
            $"/v1/runs/{runId}/messages",
            new
            {
                runId,
                userTaskId = taskId,
                approved = true,
            },
            Ct
        );

    private static async Task AssertProblemAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("urn:skein:error:" + code, problem.GetProperty("type").GetString());
    }

    [StoreFact]
    public async Task An_anomaly_review_is_refused_to_the_api_key_and_answered_by_an_operator()
    {
        const string Rules = """[{"id":"review","when":{"tool":"skein_echo"},"then":"pause","reason":"check"}]""";
        var (agent, runId, taskId) = await WaitingTaskAsync(EchoTool.ToolName, Rules);

        var refused = await ApproveOverV1Async(agent, runId, taskId);

        await AssertProblemAsync(refused, "review_needs_operator");
        Assert.Equal(
            "WaitingForHITL",
            (await Runs.WaitForAsync(agent.Client, runId, "WaitingForHITL")).GetProperty("status").GetString()
        );
        var answered = await Admin.PostAsJsonAsync($"/api/tasks/{taskId}/answer", new { approved = true }, Ct);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
    }

    [StoreFact]
    public async Task An_approval_is_refused_to_the_api_key_when_the_api_trigger_says_so()
    {
        await using var receiver = await OperationReceiver.StartAsync(Ct);
        var tool = "pay_" + Guid.NewGuid().ToString("N")[..8];
        await TestData.AddOperationAsync(
            Server.Contexts,
            new OperationSpec(tool, receiver.BaseUrl) { RequireApproval = true },
            Ct
        );
        var (agent, runId, taskId) = await WaitingTaskAsync(
            tool,
            triggerSettings: new { apiCanAnswerApprovals = false }
        );

        await AssertProblemAsync(await ApproveOverV1Async(agent, runId, taskId), "approval_needs_operator");

        // Turned back on, the same key answers it.
        (
            await Server.UpdateApiTriggerAsync(agent.AgentId, new { apiCanAnswerApprovals = true })
        ).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Accepted, (await ApproveOverV1Async(agent, runId, taskId)).StatusCode);
        await Runs.WaitForAsync(agent.Client, runId, "Completed");
    }
}
