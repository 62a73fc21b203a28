using Skein.Core.Agents;
using Skein.Core.Guards;

namespace Skein.Core.Tests.Guards;

public sealed class GuardRuleValidationTests
{
    private static GuardRule Rule(
        string id,
        GuardAction then = GuardAction.Block,
        params ArgumentCondition[] arguments
    ) =>
        new()
        {
            Id = id,
            Then = then,
            When = new GuardCondition { Tool = "pay_*", Arguments = arguments },
        };

    private static ArgumentCondition Arg(string path, string op, string? value = null) =>
        new(path, op, value is null ? null : SkeinJson.Parse(value));

    private static IReadOnlyList<string> Validate(params GuardRule[] rules) =>
        GuardRuleValidation.Validate(rules, ExecutionMode.HITL);

    [Fact]
    public void Pause_on_a_request_agent_is_rejected_naming_the_rule_by_index_and_id()
    {
        GuardRule[] rules = [Rule("a"), Rule("b"), Rule("big-amounts", GuardAction.Pause)];

        var errors = GuardRuleValidation.Validate(rules, ExecutionMode.Request);

        Assert.Equal(["guardRules[2] (big-amounts): pause needs a HITL or SubAgent agent"], errors);
    }

    [Theory]
    [InlineData(ExecutionMode.HITL)]
    [InlineData(ExecutionMode.SubAgent)]
    public void Pause_is_valid_on_agents_with_someone_to_review(ExecutionMode mode) =>
        Assert.Empty(GuardRuleValidation.Validate([Rule("big-amounts", GuardAction.Pause)], mode));

    [Theory]
    [InlineData(GuardAction.Allow)]
    [InlineData(GuardAction.Block)]
    [InlineData(GuardAction.TerminateSession)]
    public void Non_pause_actions_are_valid_on_request_agents(GuardAction then) =>
        Assert.Empty(GuardRuleValidation.Validate([Rule("r", then)], ExecutionMode.Request));

    [Fact]
    public void A_complete_rule_set_using_every_op_is_valid() =>
        Assert.Empty(
            Validate(
                Rule(
                    "numbers",
                    GuardAction.Block,
                    Arg("amount", "gt", "1"),
                    Arg("amount", "gte", "1"),
                    Arg("amount", "lt", "1.5"),
                    Arg("amount", "lte", "2")
                ),
                Rule(
                    "values",
                    GuardAction.Block,
                    Arg("c", "eq", "\"EUR\""),
                    Arg("c", "ne", "{\"a\":1}"),
                    Arg("c", "in", "[1]"),
                    Arg("c", "not_in", "[]")
                ),
                Rule(
                    "shape",
                    GuardAction.Block,
                    Arg("iban", "matches", "\"^KP\""),
                    Arg("memo", "exists"),
                    Arg("items.0.note", "not_exists")
                )
            )
        );

    [Fact]
    public void An_empty_id_is_rejected_by_index() =>
        Assert.Equal(["guardRules[1]: id must not be empty"], Validate(Rule("a"), Rule(" ")));

    [Fact]
    public void A_repeated_id_names_the_first_rule_using_it() =>
        Assert.Equal(
            ["guardRules[2] (a): id is already used by guardRules[0]"],
            Validate(Rule("a"), Rule("b"), Rule("a"))
        );

    [Fact]
    public void An_unknown_op_is_rejected() =>
        Assert.StartsWith(
            "guardRules[0] (r): when.arguments[0] (amount): unknown op 'greater'",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg("amount", "greater", "1"))))
        );

    [Theory]
    [InlineData("gt", null)]
    [InlineData("gte", "\"10\"")]
    [InlineData("lt", "[1]")]
    [InlineData("lte", "null")]
    public void Numeric_ops_need_a_number_value(string op, string? value) =>
        Assert.Equal(
            [$"guardRules[0] (r): when.arguments[0] (amount): op '{op}' needs a number value"],
            Validate(Rule("r", GuardAction.Block, Arg("amount", op, value)))
        );

    [Theory]
    [InlineData("in", "\"KP\"")]
    [InlineData("not_in", null)]
    public void Set_ops_need_an_array_value(string op, string? value) =>
        Assert.Equal(
            [$"guardRules[0] (r): when.arguments[0] (country): op '{op}' needs an array value"],
            Validate(Rule("r", GuardAction.Block, Arg("country", op, value)))
        );

    [Theory]
    [InlineData("eq", null)]
    [InlineData("ne", "null")]
    public void Equality_ops_need_a_non_null_value(string op, string? value) =>
        Assert.Contains(
            $"op '{op}' needs a value",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg("c", op, value))))
        );

    [Fact]
    public void Matches_needs_a_string_value() =>
        Assert.Contains(
            "op 'matches' needs a string value",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg("iban", "matches", "5"))))
        );

    [Fact]
    public void Matches_needs_a_pattern_that_compiles() =>
        Assert.Contains(
            "(iban): pattern is not a valid regular expression",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg("iban", "matches", "\"(KP\""))))
        );

    [Fact]
    public void Existence_ops_take_no_value() =>
        Assert.Contains(
            "op 'exists' takes no value",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg("memo", "exists", "true"))))
        );

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("a.")]
    public void A_path_with_an_empty_segment_is_rejected(string path) =>
        Assert.Contains(
            "path must be a dot path",
            Assert.Single(Validate(Rule("r", GuardAction.Block, Arg(path, "exists"))))
        );

    [Fact]
    public void Call_counts_below_one_are_rejected()
    {
        var rule = new GuardRule
        {
            Id = "r",
            Then = GuardAction.Block,
            When = new GuardCondition { RunCallsAtLeast = 0, SessionCallsAtLeast = -1 },
        };

        Assert.Equal(
            [
                "guardRules[0] (r): when.run_calls_at_least must be at least 1",
                "guardRules[0] (r): when.session_calls_at_least must be at least 1",
            ],
            Validate(rule)
        );
    }

    [Fact]
    public void An_undefined_action_is_rejected() =>
        Assert.Equal(
            ["guardRules[0] (r): then must be one of allow, block, pause, terminate_session"],
            Validate(Rule("r", (GuardAction)9))
        );
}
