using Microsoft.Extensions.DependencyInjection;
using Skein.Core.Agents;
using Skein.Core.UserTasks;
using Skein.Engine.Tools;
using Skein.Store.Sessions;
using Skein.Testing;

namespace Skein.Engine.Tests.SubAgents;

public class AitlTests : SubAgentTestBase
{
    [Fact]
    public async Task A_child_asks_its_parent_and_continues_with_the_parents_answer()
    {
        var researcher = Name("researcher");
        var child = await SubAgentAsync(researcher, Ask("which city?"), Says("researched {{tool_result}}"));
        var parent = await ParentAsync(
            [child],
            [
                Calls((Tool(researcher), new { input = "research" })),
                Calls(("aitl_answer", new { answer = "Paris" })),
                Says("final: {{tool_result}}"),
            ]
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        Assert.Contains("final: researched Paris", detail.Session.Output);
        var root = Root(detail);
        var kid = Assert.Single(Children(detail, root.Id));
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "AitlRequest",
                "AitlResponse",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            StepsOf(detail, kid.Id).Select(s => s.Type)
        );
        var parentSteps = StepsOf(detail, root.Id).Select(s => s.Type).ToList();
        Assert.Equal(
            [
                "llm_request_prepared",
                "reasoning",
                "SubAgentCall",
                "AitlReceived",
                "llm_request_prepared",
                "reasoning",
                "ToolCall",
                "ToolResult",
                "AitlResolved",
                "SubAgentResult",
                "llm_request_prepared",
                "reasoning",
                "output",
            ],
            parentSteps
        );
        var request = ContentOf(StepsOf(detail, kid.Id).Single(s => s.Type == "AitlRequest"));
        var received = ContentOf(StepsOf(detail, root.Id).Single(s => s.Type == "AitlReceived"));
        Assert.Equal(request.GetProperty("request_id").GetGuid(), received.GetProperty("request_id").GetGuid());
        Assert.Equal("which city?", received.GetProperty("question").GetString());
        var resolved = ContentOf(StepsOf(detail, root.Id).Single(s => s.Type == "AitlResolved"));
        Assert.False(resolved.GetProperty("escalated").GetBoolean());
        AssertGapFree(detail);
    }

    [Fact]
    public async Task Under_a_HITL_root_the_parent_escalates_and_a_persons_answer_reaches_the_child()
    {
        var researcher = Name("researcher");
        var child = await SubAgentAsync(researcher, Ask("what budget?"), Says("child got {{tool_result}}"));
        var parent = await ParentAsync(
            [child],
            [
                Calls((Tool(researcher), new { input = "plan" })),
                Calls(("aitl_escalate", new { })),
                Says("{{tool_result}}"),
            ],
            mode: ExecutionMode.HITL
        );

        var started = await Host.StartRunAsync(parent.AgentId);
        await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        var task = Assert.Single(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(started.SessionId, CancellationToken.None)
        );
        Assert.Equal(UserTaskKinds.AitlEscalation, task.Kind);
        Assert.Equal(started.RunId, task.RunId);
        Assert.Contains("what budget?", task.Context);
        var waiting = (await Host.Queries.GetAsync(started.SessionId, CancellationToken.None))!;
        Assert.Equal("WaitingForAITL", Children(waiting, started.RunId).Single().Status);

        var refused = await Host.Actions.AnswerTaskAsync(
            task.Id,
            null,
            new UserTaskAnswer(),
            "operator:ann",
            CancellationToken.None
        );
        Assert.False(refused.Ok);
        var answered = await Host.Actions.AnswerTaskAsync(
            task.Id,
            null,
            new UserTaskAnswer { TextValue = "100 EUR" },
            "operator:ann",
            CancellationToken.None
        );
        Assert.True(answered.Ok, answered.Error?.Message);

        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        var kid = Children(detail, started.RunId).Single();
        Assert.Contains("child got 100 EUR", kid.Output);
        var resolved = ContentOf(StepsOf(detail, started.RunId).Single(s => s.Type == "AitlResolved"));
        Assert.True(resolved.GetProperty("escalated").GetBoolean());
        Assert.Equal("100 EUR", resolved.GetProperty("answer").GetString());
        AssertGapFree(detail);
    }

    [Fact]
    public async Task Under_a_Request_root_escalation_is_a_tool_error_and_the_parent_answers_itself()
    {
        var researcher = Name("researcher");
        var child = await SubAgentAsync(researcher, Ask("what budget?"), Says("child got {{tool_result}}"));
        var parent = await ParentAsync(
            [child],
            [
                Calls((Tool(researcher), new { input = "plan" })),
                Calls(("aitl_escalate", new { })),
                Calls(("aitl_answer", new { answer = "50 EUR" })),
                Says("{{tool_result}}"),
            ]
        );

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var root = Root(detail);
        var escalate = StepsOf(detail, root.Id).First(s => s.Type == "ToolResult");
        Assert.Contains("needs a HITL root", escalate.Error);
        Assert.Contains("child got 50 EUR", Children(detail, root.Id).Single().Output);
        Assert.Empty(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(detail.Session.Id, CancellationToken.None)
        );
    }

    [Fact]
    public async Task An_approval_gated_call_in_a_child_pauses_under_a_HITL_root()
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
            [Calls((Tool(refunder), new { input = "refund" })), Says("{{tool_result}}")],
            mode: ExecutionMode.HITL
        );

        var started = await Host.StartRunAsync(parent.AgentId);
        var waiting = await Host.WaitForStatusAsync(started.SessionId, "WaitingForHITL");
        var kid = Children(waiting, started.RunId).Single();
        Assert.Equal("WaitingForHITL", kid.Status);
        Assert.Equal("Running", Root(waiting).Status);
        var task = Assert.Single(
            await Host
                .Services.GetRequiredService<UserTaskQueries>()
                .ForSessionAsync(started.SessionId, CancellationToken.None)
        );
        Assert.Equal(UserTaskKinds.Approval, task.Kind);
        Assert.Equal(kid.Id, task.RunId);

        var answered = await Host.Actions.AnswerTaskAsync(
            task.Id,
            kid.Id,
            new UserTaskAnswer { Approved = true },
            "operator:ann",
            CancellationToken.None
        );
        Assert.True(answered.Ok, answered.Error?.Message);
        var detail = await Host.WaitForStatusAsync(started.SessionId, "Completed");
        Assert.Contains("refunded", detail.Session.Output);
    }

    [Fact]
    public async Task Under_a_Request_root_an_approval_gated_call_in_a_child_is_a_tool_error()
    {
        var refunder = Name("refunder");
        var child = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Name = refunder,
                Mode = ExecutionMode.SubAgent,
                Description = "refunds",
                Operations = [DemoRefundTool.ToolName],
                Script = [Calls((DemoRefundTool.ToolName, new { amount = 5 })), Says("tried")],
            }
        );
        var parent = await ParentAsync([child], [Calls((Tool(refunder), new { input = "refund" })), Says("done")]);

        var detail = await Host.RunToEndAsync(parent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var kid = Children(detail, Root(detail).Id).Single();
        Assert.Contains(
            "approval needs a HITL agent",
            StepsOf(detail, kid.Id).Single(s => s.Type == "ToolResult").Error
        );
    }
}
