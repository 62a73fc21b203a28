using System.Text.Json;
using Skein.Core.Guards;

namespace Skein.Core.Tests.Guards;

public sealed class GuardRuleJsonTests
{
    [Theory]
    [InlineData(GuardAction.Allow, "allow")]
    [InlineData(GuardAction.Block, "block")]
    [InlineData(GuardAction.Pause, "pause")]
    [InlineData(GuardAction.TerminateSession, "terminate_session")]
    public void Guard_actions_round_trip_as_their_wire_strings(GuardAction action, string wire)
    {
        var json = JsonSerializer.Serialize(action, SkeinJson.Options);

        Assert.Equal($"\"{wire}\"", json);
        Assert.Equal(action, JsonSerializer.Deserialize<GuardAction>(json, SkeinJson.Options));
    }

    [Fact]
    public void A_rule_reads_from_its_snake_case_wire_shape()
    {
        const string json = """
            {"id":"big","when":{"tool":"pay_*","arguments":[{"path":"amount","op":"gt","value":10000}],
             "run_calls_at_least":3,"session_calls_at_least":10},"then":"terminate_session","reason":"too much"}
            """;

        var rule = JsonSerializer.Deserialize<GuardRule>(json, SkeinJson.Options);

        Assert.NotNull(rule);
        Assert.Equal("big", rule.Id);
        Assert.Equal(GuardAction.TerminateSession, rule.Then);
        Assert.Equal("too much", rule.Reason);
        Assert.Equal("pay_*", rule.When.Tool);
        Assert.Equal(3, rule.When.RunCallsAtLeast);
        Assert.Equal(10, rule.When.SessionCallsAtLeast);
        var argument = Assert.Single(rule.When.Arguments);
        Assert.Equal(("amount", "gt", 10000m), (argument.Path, argument.Op, argument.Value?.GetDecimal()));
    }

    [Fact]
    public void A_rule_writes_its_snake_case_wire_shape()
    {
        var rule = new GuardRule
        {
            Id = "r",
            Then = GuardAction.TerminateSession,
            Reason = "stop",
            When = new GuardCondition
            {
                Tool = "pay_*",
                Arguments = [new("amount", ArgumentOps.Gt, SkeinJson.Parse("5"))],
                RunCallsAtLeast = 2,
            },
        };

        var json = JsonSerializer.Serialize(rule, SkeinJson.Options);

        Assert.Equal(
            """{"id":"r","when":{"tool":"pay_*","arguments":[{"path":"amount","op":"gt","value":"""
                + """5}],"run_calls_at_least":2},"then":"terminate_session","reason":"stop"}""",
            json
        );
    }

    [Fact]
    public void A_decision_records_every_match_with_its_wire_action()
    {
        var decision = new GuardDecision(
            GuardAction.Pause,
            [new GuardMatch("a", GuardAction.Allow, "ok"), new GuardMatch("p", GuardAction.Pause, "look")]
        );

        var json = JsonSerializer.Serialize(decision, SkeinJson.Options);

        Assert.Equal(
            """{"outcome":"pause","matched":[{"rule_id":"a","then":"allow","reason":"ok"},"""
                + """{"rule_id":"p","then":"pause","reason":"look"}],"applied":"""
                + """{"rule_id":"p","then":"pause","reason":"look"},"errors":[]}""",
            json
        );
    }
}
