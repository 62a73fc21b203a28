using System.Diagnostics;
using Skein.Core.Guards;

namespace Skein.Core.Tests.Guards;

public sealed class GuardEvaluatorTests
{
    private static ToolAttempt Attempt(string tool = "pay_invoice", string args = "{}", int run = 0, int session = 0) =>
        new(tool, SkeinJson.Parse(args), run, session);

    private static GuardRule Rule(string id, GuardAction then, GuardCondition when, string reason = "") =>
        new()
        {
            Id = id,
            Then = then,
            When = when,
            Reason = reason,
        };

    private static ArgumentCondition Arg(string path, string op, string? value = null) =>
        new(path, op, value is null ? null : SkeinJson.Parse(value));

    private static bool ArgumentMatches(string argsJson, string path, string op, string? value = null)
    {
        var rule = Rule("r", GuardAction.Block, new GuardCondition { Arguments = [Arg(path, op, value)] });
        return GuardEvaluator.Evaluate([rule], Attempt(args: argsJson)).Matched.Count == 1;
    }

    private static bool ToolMatches(string pattern, string toolName) =>
        GuardEvaluator
            .Evaluate([Rule("r", GuardAction.Block, new GuardCondition { Tool = pattern })], Attempt(toolName))
            .Matched.Count == 1;

    [Theory]
    [InlineData("""{"amount":10001}""", true)]
    [InlineData("""{"amount":10000}""", false)]
    [InlineData("""{"amount":"10000.5"}""", true)]
    [InlineData("""{"amount":"lots"}""", false)]
    [InlineData("""{"amount":true}""", false)]
    [InlineData("""{}""", false)]
    public void Gt_matches_numbers_and_numeric_strings_above_the_value(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "amount", ArgumentOps.Gt, "10000"));

    [Theory]
    [InlineData(9999, false)]
    [InlineData(10000, true)]
    [InlineData(10001, true)]
    public void Gte_includes_the_value(int amount, bool expected) =>
        Assert.Equal(expected, ArgumentMatches($$"""{"amount":{{amount}}}""", "amount", ArgumentOps.Gte, "10000"));

    [Theory]
    [InlineData(9999, true)]
    [InlineData(10000, false)]
    public void Lt_excludes_the_value(int amount, bool expected) =>
        Assert.Equal(expected, ArgumentMatches($$"""{"amount":{{amount}}}""", "amount", ArgumentOps.Lt, "10000"));

    [Theory]
    [InlineData(10000, true)]
    [InlineData(10001, false)]
    public void Lte_includes_the_value(int amount, bool expected) =>
        Assert.Equal(expected, ArgumentMatches($$"""{"amount":{{amount}}}""", "amount", ArgumentOps.Lte, "10000"));

    [Fact]
    public void Numeric_comparison_is_exact_for_decimal_amounts() =>
        Assert.True(ArgumentMatches("""{"amount":10000.000000000000001}""", "amount", ArgumentOps.Gt, "10000"));

    [Theory]
    [InlineData("""{"v":1.0}""", "1", true)]
    [InlineData("""{"v":"1"}""", "1", false)]
    [InlineData("""{"v":"FR"}""", "\"FR\"", true)]
    [InlineData("""{"v":"fr"}""", "\"FR\"", false)]
    [InlineData("""{"v":true}""", "true", true)]
    [InlineData("""{"v":{"a":1,"b":[1,2]}}""", """{"b":[1,2.0],"a":1}""", true)]
    [InlineData("""{"v":{"a":1}}""", """{"a":1,"b":2}""", false)]
    [InlineData("""{"v":[1,2]}""", "[2,1]", false)]
    public void Eq_compares_json_values_structurally_with_numbers_numerically(
        string args,
        string value,
        bool expected
    ) => Assert.Equal(expected, ArgumentMatches(args, "v", ArgumentOps.Eq, value));

    [Theory]
    [InlineData("""{"currency":"USD"}""", true)]
    [InlineData("""{"currency":"EUR"}""", false)]
    [InlineData("""{}""", false)]
    public void Ne_matches_a_present_different_value(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "currency", ArgumentOps.Ne, "\"EUR\""));

    [Theory]
    [InlineData("""{"country":"KP"}""", true)]
    [InlineData("""{"country":"FR"}""", false)]
    [InlineData("""{"country":5}""", true)]
    public void In_matches_an_element_of_the_array(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "country", ArgumentOps.In, """["KP","IR",5.0]"""));

    [Theory]
    [InlineData("""{"currency":"GBP"}""", true)]
    [InlineData("""{"currency":"EUR"}""", false)]
    [InlineData("""{}""", false)]
    public void Not_in_matches_a_present_value_outside_the_array(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "currency", ArgumentOps.NotIn, """["EUR","USD"]"""));

    [Theory]
    [InlineData("""{"iban":"KP12 3456"}""", true)]
    [InlineData("""{"iban":"FR76 3000"}""", false)]
    [InlineData("""{"iban":12}""", false)]
    public void Matches_searches_a_string_with_the_regex(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "iban", ArgumentOps.Matches, "\"^(KP|IR)\\\\d\\\\d\""));

    [Theory]
    [InlineData("""{"memo":"x"}""", true)]
    [InlineData("""{"memo":""}""", true)]
    [InlineData("""{"memo":null}""", false)]
    [InlineData("""{}""", false)]
    public void Exists_matches_a_present_non_null_argument(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "memo", ArgumentOps.Exists));

    [Theory]
    [InlineData("""{"memo":"x"}""", false)]
    [InlineData("""{"memo":null}""", true)]
    [InlineData("""{}""", true)]
    public void Not_exists_matches_an_absent_or_null_argument(string args, bool expected) =>
        Assert.Equal(expected, ArgumentMatches(args, "memo", ArgumentOps.NotExists));

    [Fact]
    public void Dot_path_reaches_nested_object_properties() =>
        Assert.True(
            ArgumentMatches("""{"beneficiary":{"country":"KP"}}""", "beneficiary.country", ArgumentOps.Eq, "\"KP\"")
        );

    [Fact]
    public void Numeric_path_segment_indexes_an_array() =>
        Assert.True(
            ArgumentMatches("""{"items":[{"price":5},{"price":900}]}""", "items.1.price", ArgumentOps.Gt, "100")
        );

    [Theory]
    [InlineData("items.2.price")]
    [InlineData("items.x.price")]
    [InlineData("items.0.price.currency")]
    [InlineData("beneficiary.country")]
    public void Dot_path_that_does_not_resolve_counts_as_absent(string path)
    {
        const string args = """{"items":[{"price":5}],"beneficiary":"n/a"}""";
        Assert.False(ArgumentMatches(args, path, ArgumentOps.Exists));
        Assert.True(ArgumentMatches(args, path, ArgumentOps.NotExists));
    }

    [Theory]
    [InlineData("pay_invoice", "pay_invoice", true)]
    [InlineData("pay_invoice", "pay_invoices", false)]
    [InlineData("pay_invoice", "Pay_invoice", false)]
    [InlineData("pay_*", "pay_invoice", true)]
    [InlineData("pay_*", "pay_", true)]
    [InlineData("pay_*", "refund", false)]
    [InlineData("*_invoice", "pay_invoice", true)]
    [InlineData("pay_*_eur", "pay_wire_eur", true)]
    [InlineData("pay_*_eur", "pay_eur", false)]
    [InlineData("a*b*c", "a_c_b_c", true)]
    [InlineData("*", "anything", true)]
    public void Tool_matches_exactly_or_as_a_star_glob(string pattern, string toolName, bool expected) =>
        Assert.Equal(expected, ToolMatches(pattern, toolName));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(7, true)]
    public void Run_calls_at_least_n_matches_from_the_nth_call_counting_the_current_one(int earlierCalls, bool expected)
    {
        var rule = Rule("third-call", GuardAction.Block, new GuardCondition { RunCallsAtLeast = 3 });
        Assert.Equal(
            expected,
            GuardEvaluator.Evaluate([rule], Attempt(run: earlierCalls, session: 100)).Matched.Count == 1
        );
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(9, true)]
    public void Session_calls_at_least_n_counts_earlier_calls_across_the_session(int earlierCalls, bool expected)
    {
        var rule = Rule("tenth-call", GuardAction.Block, new GuardCondition { SessionCallsAtLeast = 10 });
        Assert.Equal(
            expected,
            GuardEvaluator.Evaluate([rule], Attempt(run: 0, session: earlierCalls)).Matched.Count == 1
        );
    }

    [Fact]
    public void Every_set_part_of_a_condition_must_match()
    {
        var rule = Rule(
            "r",
            GuardAction.Block,
            new GuardCondition
            {
                Tool = "pay_*",
                Arguments = [Arg("amount", ArgumentOps.Gt, "100")],
                RunCallsAtLeast = 2,
            }
        );

        Assert.Single(GuardEvaluator.Evaluate([rule], Attempt("pay_invoice", """{"amount":500}""", run: 1)).Matched);
        Assert.Empty(GuardEvaluator.Evaluate([rule], Attempt("refund", """{"amount":500}""", run: 1)).Matched);
        Assert.Empty(GuardEvaluator.Evaluate([rule], Attempt("pay_invoice", """{"amount":50}""", run: 1)).Matched);
        Assert.Empty(GuardEvaluator.Evaluate([rule], Attempt("pay_invoice", """{"amount":500}""", run: 0)).Matched);
    }

    [Fact]
    public void An_empty_when_matches_nothing()
    {
        var decision = GuardEvaluator.Evaluate(
            [Rule("empty", GuardAction.TerminateSession, new GuardCondition())],
            Attempt(run: 50, session: 50)
        );

        Assert.Empty(decision.Matched);
        Assert.Equal(GuardAction.Allow, decision.Outcome);
    }

    [Fact]
    public void No_rules_allow_with_nothing_matched()
    {
        var decision = GuardEvaluator.Evaluate([], Attempt());

        Assert.Equal(GuardAction.Allow, decision.Outcome);
        Assert.True(decision.IsAllowed);
        Assert.Empty(decision.Matched);
        Assert.Null(decision.Applied);
    }

    [Fact]
    public void Every_matching_rule_is_recorded_in_rule_order_with_its_reason()
    {
        var tool = new GuardCondition { Tool = "pay_invoice" };
        GuardRule[] rules =
        [
            Rule("a", GuardAction.Allow, tool, "fine"),
            Rule("b", GuardAction.Block, new GuardCondition { Tool = "refund" }, "not this one"),
            Rule("c", GuardAction.Pause, tool, "look at it"),
            Rule("d", GuardAction.Block, tool, "too much"),
        ];

        var decision = GuardEvaluator.Evaluate(rules, Attempt());

        Assert.Equal(
            [
                new GuardMatch("a", GuardAction.Allow, "fine"),
                new GuardMatch("c", GuardAction.Pause, "look at it"),
                new GuardMatch("d", GuardAction.Block, "too much"),
            ],
            decision.Matched
        );
    }

    [Theory]
    [InlineData(false, false, false, false, GuardAction.Allow)]
    [InlineData(true, false, false, false, GuardAction.Allow)]
    [InlineData(false, true, false, false, GuardAction.Block)]
    [InlineData(true, true, false, false, GuardAction.Block)]
    [InlineData(false, false, true, false, GuardAction.Pause)]
    [InlineData(true, false, true, false, GuardAction.Pause)]
    [InlineData(false, true, true, false, GuardAction.Block)]
    [InlineData(true, true, true, false, GuardAction.Block)]
    [InlineData(false, false, false, true, GuardAction.TerminateSession)]
    [InlineData(true, false, false, true, GuardAction.TerminateSession)]
    [InlineData(false, true, false, true, GuardAction.TerminateSession)]
    [InlineData(true, true, false, true, GuardAction.TerminateSession)]
    [InlineData(false, false, true, true, GuardAction.TerminateSession)]
    [InlineData(true, false, true, true, GuardAction.TerminateSession)]
    [InlineData(false, true, true, true, GuardAction.TerminateSession)]
    [InlineData(true, true, true, true, GuardAction.TerminateSession)]
    public void Outcome_follows_terminate_over_block_over_pause_over_allow(
        bool allow,
        bool block,
        bool pause,
        bool terminate,
        GuardAction expected
    )
    {
        // Rules are listed lowest precedence first, so rule order cannot be what decides.
        var matching = new GuardCondition { Tool = "pay_invoice" };
        var other = new GuardCondition { Tool = "never" };
        GuardRule[] rules =
        [
            Rule("allow", GuardAction.Allow, allow ? matching : other),
            Rule("pause", GuardAction.Pause, pause ? matching : other),
            Rule("block", GuardAction.Block, block ? matching : other),
            Rule("terminate", GuardAction.TerminateSession, terminate ? matching : other),
        ];

        var decision = GuardEvaluator.Evaluate(rules, Attempt());

        Assert.Equal(expected, decision.Outcome);
        Assert.Equal(new[] { allow, pause, block, terminate }.Count(x => x), decision.Matched.Count);
        Assert.Equal(expected == GuardAction.Allow, decision.IsAllowed);
    }

    [Fact]
    public void Applied_is_the_first_matching_rule_with_the_outcome_action()
    {
        var tool = new GuardCondition { Tool = "pay_invoice" };
        GuardRule[] rules =
        [
            Rule("pause-first", GuardAction.Pause, tool),
            Rule("block-1", GuardAction.Block, tool, "first block"),
            Rule("block-2", GuardAction.Block, tool, "second block"),
        ];

        var decision = GuardEvaluator.Evaluate(rules, Attempt());

        Assert.Equal(new GuardMatch("block-1", GuardAction.Block, "first block"), decision.Applied);
    }

    [Fact]
    public void Applied_is_the_first_allow_rule_when_only_allow_rules_match()
    {
        var tool = new GuardCondition { Tool = "pay_invoice" };
        var decision = GuardEvaluator.Evaluate(
            [Rule("ok-1", GuardAction.Allow, tool), Rule("ok-2", GuardAction.Allow, tool)],
            Attempt()
        );

        Assert.True(decision.IsAllowed);
        Assert.Equal("ok-1", decision.Applied?.RuleId);
    }

    [Fact]
    public void A_catastrophic_pattern_that_times_out_applies_the_rule_fail_closed_and_says_why()
    {
        var args = SkeinJson.Element(new { text = new string('a', 5_000) + "!" });
        var rule = Rule(
            "redos",
            GuardAction.TerminateSession,
            new GuardCondition { Arguments = [Arg("text", ArgumentOps.Matches, "\"^(a|aa)+$\"")] }
        );

        var clock = Stopwatch.StartNew();
        var decision = GuardEvaluator.Evaluate([rule], new ToolAttempt("t", args, 0, 0));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"evaluation took {clock.Elapsed}");
        Assert.Equal(GuardAction.TerminateSession, decision.Outcome);
        var match = Assert.Single(decision.Matched);
        Assert.Contains("timed out", match.FailedClosed);
        Assert.Contains("fail closed", match.FailedClosed);
        var error = Assert.Single(decision.Errors);
        Assert.Contains("redos", error);
        Assert.Contains("timed out", error);
    }

    [Fact]
    public void An_invalid_pattern_applies_the_rule_fail_closed_with_a_recorded_error()
    {
        var rule = Rule(
            "bad",
            GuardAction.Block,
            new GuardCondition { Arguments = [Arg("text", ArgumentOps.Matches, "\"(unclosed\"")] }
        );

        var decision = GuardEvaluator.Evaluate([rule], Attempt(args: """{"text":"(unclosed"}"""));

        Assert.Equal(GuardAction.Block, decision.Outcome);
        Assert.Contains("not a valid regular expression", Assert.Single(decision.Matched).FailedClosed);
        Assert.Contains("not a valid regular expression", Assert.Single(decision.Errors));
    }

    [Fact]
    public void A_pattern_that_cannot_be_evaluated_does_not_match_when_another_condition_fails()
    {
        var rule = Rule(
            "bad",
            GuardAction.Block,
            new GuardCondition
            {
                Arguments = [Arg("text", ArgumentOps.Matches, "\"(unclosed\""), Arg("amount", ArgumentOps.Gt, "100")],
            }
        );

        var decision = GuardEvaluator.Evaluate([rule], Attempt(args: """{"text":"x","amount":5}"""));

        Assert.True(decision.IsAllowed);
        Assert.Empty(decision.Matched);
    }
}
