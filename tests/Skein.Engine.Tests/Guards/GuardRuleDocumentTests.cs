using System.Text.Json;
using Skein.Core;
using Skein.Core.Agents;
using Skein.Core.Guards;
using Skein.Engine.Guards;

namespace Skein.Engine.Tests.Guards;

public sealed class GuardRuleDocumentTests
{
    private const string ValidDocument = """
        [
          {"id":"big-amounts","when":{"tool":"pay_*","arguments":[{"path":"amount","op":"gt","value":10000}],
           "run_calls_at_least":3,"session_calls_at_least":10},"then":"block","reason":"amount over 10000"},
          {"id":"sanctioned","when":{"arguments":[{"path":"beneficiary.country","op":"in","value":["KP","IR"]}]},
           "then":"terminate_session","reason":"sanctioned country"},
          {"id":"review","when":{"tool":"refund"},"then":"pause"}
        ]
        """;

    private static Task<GuardRuleDocumentResult> Parse(string json, ExecutionMode mode = ExecutionMode.HITL) =>
        GuardRuleDocument.ParseAsync(json, mode, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_valid_document_yields_its_rules_in_order()
    {
        var result = await Parse(ValidDocument);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["big-amounts", "sanctioned", "review"], result.Rules.Select(r => r.Id));
        var big = result.Rules[0];
        Assert.Equal(GuardAction.Block, big.Then);
        Assert.Equal("amount over 10000", big.Reason);
        Assert.Equal(("pay_*", 3, 10), (big.When.Tool, big.When.RunCallsAtLeast, big.When.SessionCallsAtLeast));
        Assert.Equal(GuardAction.TerminateSession, result.Rules[1].Then);
        Assert.Equal("", result.Rules[2].Reason);
    }

    [Fact]
    public async Task Parsed_rules_evaluate_as_written()
    {
        var result = await Parse(ValidDocument);
        var attempt = new ToolAttempt(
            "pay_wire",
            SkeinJson.Parse("""{"amount":20000,"beneficiary":{"country":"KP"}}"""),
            RunCallCount: 2,
            SessionCallCount: 9
        );

        var decision = GuardEvaluator.Evaluate(result.Rules, attempt);

        Assert.Equal(GuardAction.TerminateSession, decision.Outcome);
        Assert.Equal(["big-amounts", "sanctioned"], decision.Matched.Select(m => m.RuleId));
    }

    [Fact]
    public async Task An_empty_array_is_a_valid_document()
    {
        var result = await Parse("[]");

        Assert.True(result.IsValid);
        Assert.Empty(result.Rules);
    }

    [Fact]
    public async Task Rules_written_with_skein_json_read_back_unchanged()
    {
        var first = await Parse(ValidDocument);

        var again = await Parse(JsonSerializer.Serialize(first.Rules, SkeinJson.Options));

        Assert.True(again.IsValid, string.Join("\n", again.Errors));
        Assert.Equal(
            JsonSerializer.Serialize(first.Rules, SkeinJson.Options),
            JsonSerializer.Serialize(again.Rules, SkeinJson.Options)
        );
    }

    [Fact]
    public async Task An_unknown_then_is_rejected_at_its_path()
    {
        var result = await Parse(
            """[{"id":"a","when":{"tool":"x"},"then":"block"},{"id":"b","when":{"tool":"x"},"then":"explode"}]"""
        );

        Assert.Empty(result.Rules);
        Assert.Equal(["guardRules[1].then: value is not one of the allowed values"], result.Errors);
    }

    [Fact]
    public async Task A_missing_id_is_rejected_at_the_rule_path()
    {
        var result = await Parse("""[{"when":{"tool":"x"},"then":"block"}]""");

        Assert.Equal(["guardRules[0].id: 'id' is required"], result.Errors);
    }

    [Fact]
    public async Task An_op_that_is_not_a_string_is_rejected_at_its_path()
    {
        var result = await Parse(
            """[{"id":"a","when":{"arguments":[{"path":"amount","op":5,"value":1}]},"then":"block"}]"""
        );

        Assert.Contains("guardRules[0].when.arguments[0].op: must be a string", result.Errors);
    }

    [Fact]
    public async Task A_misspelled_property_is_rejected_rather_than_ignored()
    {
        var result = await Parse("""[{"id":"a","when":{"tool":"x","run_call_at_least":3},"then":"block"}]""");

        Assert.Equal(
            ["guardRules[0].when.run_call_at_least: 'run_call_at_least' is not a known property"],
            result.Errors
        );
    }

    [Fact]
    public async Task A_document_that_is_not_an_array_is_rejected()
    {
        var result = await Parse("""{"id":"a","then":"block"}""");

        Assert.Equal(["guardRules: must be an array"], result.Errors);
    }

    [Fact]
    public async Task Malformed_json_is_rejected_without_throwing()
    {
        var result = await Parse("[{'id':'a'}]");

        Assert.StartsWith("guardRules: not valid JSON", Assert.Single(result.Errors));
    }

    [Fact]
    public async Task Pause_rules_pass_the_schema_but_are_rejected_for_request_agents()
    {
        var result = await Parse(ValidDocument, ExecutionMode.Request);

        Assert.Empty(result.Rules);
        Assert.Equal(["guardRules[2] (review): pause needs a HITL or SubAgent agent"], result.Errors);
    }

    [Fact]
    public async Task Domain_errors_follow_the_schema_check()
    {
        var result = await Parse(
            """[{"id":"a","when":{"arguments":[{"path":"amount","op":"gt","value":"lots"}]},"then":"block"},"""
                + """{"id":"a","when":{"tool":"x"},"then":"allow"}]"""
        );

        Assert.Equal(
            [
                "guardRules[0] (a): when.arguments[0] (amount): op 'gt' needs a number value",
                "guardRules[1] (a): id is already used by guardRules[0]",
            ],
            result.Errors
        );
    }
}
