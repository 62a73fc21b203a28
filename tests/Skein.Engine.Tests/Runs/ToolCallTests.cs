using Skein.Core.Tools;
using Skein.Engine.Tools;
using Skein.Testing;

namespace Skein.Engine.Tests.Runs;

public class ToolCallTests : EngineTestBase
{
    // Nothing listens on the discard port: a call that is wrongly executed fails with a different error.
    private const string Unreachable = "http://127.0.0.1:9";

    [Fact]
    public async Task A_tool_outside_the_allowlist_is_an_unknown_tool_error_the_model_sees()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec { Operations = [], Script = [Calls((EchoTool.ToolName, new { a = 1 })), Says("understood")] }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.Equal(ToolPolicy.UnknownTool(EchoTool.ToolName), result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task In_request_mode_an_approval_gated_call_is_refused_while_other_calls_of_the_turn_run()
    {
        await Host.AddOperationAsync(new OperationSpec("pay_invoice", Unreachable) { RequireApproval = true });
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["pay_invoice", EchoTool.ToolName],
                Script =
                [
                    Calls(("pay_invoice", new { amount = 10 }), (EchoTool.ToolName, new { note = "still runs" })),
                    Says("ok"),
                ],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var results = detail
            .Steps.Where(s => s.Type == "ToolResult")
            .Select(s => Content(s).GetProperty("result"))
            .ToList();
        Assert.Equal(2, results.Count);
        Assert.False(results[0].GetProperty("successful").GetBoolean());
        Assert.Equal(ToolPolicy.ApprovalNeedsHitl, results[0].GetProperty("error").GetString());
        Assert.True(results[1].GetProperty("successful").GetBoolean());
        Assert.Equal("still runs", results[1].GetProperty("data").GetProperty("note").GetString());
    }

    [Fact]
    public async Task Every_tool_call_carries_an_idempotency_key_from_run_and_step_sequence()
    {
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = [EchoTool.ToolName],
                Script = [Calls((EchoTool.ToolName, new { }), (EchoTool.ToolName, new { })), Says("ok")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        var runId = detail.Runs.Single().Id;
        var calls = detail.Steps.Where(s => s.Type == "ToolCall").ToList();
        Assert.Equal(
            [$"{runId:N}:{calls[0].Sequence}", $"{runId:N}:{calls[1].Sequence}"],
            calls.Select(c => Content(c).GetProperty("idempotency_key").GetString())
        );
    }

    [Fact]
    public async Task A_failing_http_operation_becomes_a_tool_error_not_a_failed_run()
    {
        await Host.AddOperationAsync(new OperationSpec("lookup", Unreachable) { TimeoutSec = 5 });
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["lookup"],
                Script = [Calls(("lookup", new { id = 1 })), Says("the lookup failed")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var result = Content(detail.Steps.Single(s => s.Type == "ToolResult")).GetProperty("result");
        Assert.False(result.GetProperty("successful").GetBoolean());
        Assert.StartsWith("lookup failed", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Arguments_that_break_the_operation_schema_are_a_tool_error_and_the_operation_is_not_called()
    {
        await Host.AddOperationAsync(
            new OperationSpec("charge", Unreachable)
            {
                ArgumentsSchema =
                    """{"type":"object","required":["amount"],"properties":{"amount":{"type":"number"}}}""",
            }
        );
        var agent = await Host.CreateAgentAsync(
            new AgentSpec
            {
                Operations = ["charge"],
                Script = [Calls(("charge", new { amount = "a lot" })), Says("I will fix the amount")],
            }
        );

        var detail = await Host.RunToEndAsync(agent.AgentId);

        Assert.Equal("Completed", detail.Session.Status);
        var error = Content(detail.Steps.Single(s => s.Type == "ToolResult"))
            .GetProperty("result")
            .GetProperty("error")
            .GetString();
        Assert.StartsWith("the arguments do not match charge's schema", error);
        Assert.Contains("amount", error);
    }
}
