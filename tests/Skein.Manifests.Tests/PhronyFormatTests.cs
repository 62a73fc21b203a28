using System.Text.Json;
using Skein.Core;
using Skein.Core.Guards;
using Skein.Manifests.Documents;

namespace Skein.Manifests.Tests;

/// <summary>Keys in Phrony's spelling are applied with the same meaning or refused at their line; never dropped as
/// unknown.</summary>
public sealed class PhronyFormatTests
{
    private static string WithVersionKeys(string keys) =>
        ManifestText.Minimal.Replace("    temperature: 0.5\n", "    temperature: 0.5\n" + keys);

    private static async Task<ManifestDocument> ValidAsync(string yaml)
    {
        var result = await ManifestText.ParseAsync(yaml);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        return result.Document!;
    }

    private static IReadOnlyList<GuardRule> Rules(ManifestDocument document) =>
        Assert.Single(document.Versions).GuardRules!.Value.Deserialize<List<GuardRule>>(SkeinJson.Options)!;

    [Fact]
    public async Task Anomaly_control_rules_become_guard_rules_with_the_same_conditions()
    {
        var document = await ValidAsync(
            WithVersionKeys(
                """
                    anomalyControl: true
                    rules:
                      - id: big-refund
                        when:
                          tool_name_in: [issue_refund]
                          arg_gt: { path: amount, value: 1000 }
                          arg_regex: { path: "$.beneficiary.iban", pattern: "^RU" }
                          not: { arg_missing: { path: currency } }
                        then: block
                        reason: refunds over 1000 need a human
                      - id: loop
                        when: { call_count_in_run_gt: { tool: search, value: 2 } }
                        then: terminate_session

                """
            )
        );

        var rules = Rules(document);
        Assert.Equal(2, rules.Count);
        var big = rules[0];
        Assert.Equal(("big-refund", GuardAction.Block), (big.Id, big.Then));
        Assert.Equal("refunds over 1000 need a human", big.Reason);
        Assert.Equal("issue_refund", big.When.Tool);
        Assert.Equal(
            [("amount", "gt", "1000"), ("beneficiary.iban", "matches", "\"^RU\""), ("currency", "exists", "")],
            big.When.Arguments.Select(a => (a.Path, a.Op, a.Value?.GetRawText() ?? ""))
        );
        var loop = rules[1];
        Assert.Equal(("loop", GuardAction.TerminateSession, "search"), (loop.Id, loop.Then, loop.When.Tool));
        Assert.Equal(3, loop.When.RunCallsAtLeast);
    }

    [Fact]
    public async Task Any_of_and_several_tool_names_become_one_rule_per_alternative()
    {
        var document = await ValidAsync(
            WithVersionKeys(
                """
                    anomalyControl: true
                    rules:
                      - id: money
                        when:
                          tool_name_in: [pay, refund]
                          any_of:
                            - arg_gt: { path: amount, value: 500 }
                            - arg_missing: { path: approver }
                        then: block
                      - id: never
                        when: {}
                        then: block

                """
            )
        );

        var rules = Rules(document);
        Assert.Equal(["money#1", "money#2", "money#3", "money#4", "never"], rules.Select(r => r.Id));
        Assert.Equal(["pay", "refund", "pay", "refund"], rules.Take(4).Select(r => r.When.Tool));
        Assert.Equal(["gt", "gt", "not_exists", "not_exists"], rules.Take(4).Select(r => r.When.Arguments[0].Op));
        Assert.True(rules[4].When.IsEmpty);
    }

    [Theory]
    [InlineData(
        "call_count_in_window_gt: { tool: pay, value: 3, windowSeconds: 60 }",
        "rules[0].when.call_count_in_window_gt"
    )]
    [InlineData("call_count_in_run_gt: { value: 3 }", "rules[0].when.call_count_in_run_gt")]
    [InlineData("tool_name_regex: \"^pay\"", "rules[0].when.tool_name_regex")]
    [InlineData("not: { arg_gt: { path: amount, value: 1 } }", "rules[0].when.not")]
    public async Task A_predicate_skein_cannot_enforce_alike_is_refused_at_its_line(string predicate, string path)
    {
        var result = await ManifestText.ParseAsync(
            WithVersionKeys(
                $"""
                    anomalyControl: true
                    rules:
                      - id: r
                        when:
                          tool_name_in: [pay]
                          {predicate}
                        then: block

                """
            )
        );

        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Equal("versions[0]." + path, error.Path);
        Assert.Equal(22, error.Line);
    }

    [Fact]
    public async Task Rules_switched_off_by_anomaly_control_false_are_refused_not_dropped()
    {
        var result = await ManifestText.ParseAsync(
            WithVersionKeys(
                """
                    anomalyControl: false
                    rules:
                      - { id: r, when: { tool_name_in: [pay] }, then: block }

                """
            )
        );

        var error = Assert.Single(result.Errors);
        Assert.Equal(("versions[0].anomalyControl", 17), (error.Path, error.Line));
    }

    [Fact]
    public async Task A_pause_rule_on_a_request_agent_is_refused_at_the_rule()
    {
        var result = await ManifestText.ParseAsync(
            WithVersionKeys(
                """
                    anomalyControl: true
                    rules:
                      - { id: r, when: { tool_name_in: [pay] }, then: pause }

                """
            )
        );

        var error = Assert.Single(result.Errors);
        Assert.Contains("pause needs a HITL or SubAgent agent", error.Message);
        Assert.Equal(19, error.Line);
    }

    [Fact]
    public async Task Phrony_schedule_keys_are_read_as_the_trigger_schedule_and_input()
    {
        var document = await ValidAsync(
            ManifestText.Minimal
                + """

                  - agentManifestKey: a
                    name: nightly
                    type: scheduled
                    cronExpression: "0 3 * * *"
                    timezone: Europe/Berlin
                    inputPayload: { report: daily }
                """
        );

        var nightly = document.Triggers.Single(t => t.Name == "nightly");
        Assert.Equal(("0 3 * * *", "Europe/Berlin"), (nightly.Cron, nightly.TimeZone));
        Assert.Equal("daily", nightly.Input!.Value.GetProperty("report").GetString());
    }

    [Fact]
    public async Task A_bad_phrony_cron_is_reported_at_the_cronExpression_line()
    {
        var result = await ManifestText.ParseAsync(
            ManifestText.Minimal
                + """

                  - agentManifestKey: a
                    name: nightly
                    type: scheduled
                    cronExpression: "every night"
                    timezone: Europe/Berlin
                """
        );

        var error = Assert.Single(result.Errors);
        Assert.Equal(("triggers[1].cron", 24), (error.Path, error.Line));
    }

    [Theory]
    [InlineData("anthropic", "anthropic")]
    [InlineData("openai_azure", "openai")]
    [InlineData("self_hosted", "openai")]
    public async Task Phrony_provider_types_are_read_as_skein_kinds(string type, string kind)
    {
        var document = await ValidAsync(
            ManifestText.Minimal.Replace(
                "  - name: scripted\n    type: scripted\n",
                "  - name: scripted\n    type: scripted\n"
                    + $"  - name: other\n    type: {type}\n    baseUrlOverride: https://models.example/v1\n"
            )
        );

        var provider = document.LlmProviders.Single(p => p.Name == "other");
        Assert.Equal((kind, "https://models.example/v1"), (provider.Type, provider.BaseUrl));
    }

    [Fact]
    public async Task A_self_hosted_provider_without_a_base_url_is_refused_at_its_type()
    {
        var result = await ManifestText.ParseAsync(
            ManifestText.Minimal.Replace(
                "  - name: scripted\n    type: scripted\n",
                "  - name: scripted\n    type: scripted\n  - name: local\n    type: self_hosted\n"
            )
        );

        var error = Assert.Single(result.Errors);
        Assert.Equal(("llmProviders[1].type", 7), (error.Path, error.Line));
        Assert.Contains("baseUrlOverride", error.Message);
    }
}
