using System.Net;
using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Triggers;

namespace Skein.Core.Tests.Triggers;

public sealed class TriggerRulesTests
{
    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("2001:db8::/32")]
    [InlineData("::1")]
    public void Addresses_and_cidr_ranges_are_allowlist_entries(string entry)
    {
        Assert.True(TriggerRules.IsAllowlistEntry(entry));
        Assert.Null(TriggerRules.CheckAllowlist([entry]));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("example.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_in_an_allowlist_is_invalid_input_naming_the_entry(string? entry)
    {
        var error = TriggerRules.CheckAllowlist(["10.0.0.1", entry]);

        Assert.Equal(DomainErrorCodes.InvalidInput, error?.Code);
        Assert.Contains($"'{entry ?? "null"}'", error!.Message);
    }

    [Fact]
    public void An_empty_allowlist_admits_every_caller_and_a_full_one_only_matching_ones()
    {
        Assert.True(TriggerRules.AllowlistAdmits([], IPAddress.Parse("198.51.100.7")));
        Assert.True(TriggerRules.AllowlistAdmits(["203.0.113.0/24"], IPAddress.Parse("203.0.113.9")));
        Assert.True(TriggerRules.AllowlistAdmits(["198.51.100.7"], IPAddress.Parse("198.51.100.7")));
        Assert.False(TriggerRules.AllowlistAdmits(["203.0.113.0/24"], IPAddress.Parse("198.51.100.7")));
        Assert.False(TriggerRules.AllowlistAdmits(["203.0.113.0/24"], null));
    }

    [Fact]
    public void An_ipv4_caller_seen_through_an_ipv6_socket_matches_its_ipv4_entry()
    {
        var mapped = IPAddress.Parse("203.0.113.9").MapToIPv6();

        Assert.True(TriggerRules.AllowlistAdmits(["203.0.113.0/24"], mapped));
    }

    [Fact]
    public void Sub_agents_have_no_triggers_and_other_modes_may()
    {
        Assert.Equal(
            DomainErrorCodes.InvalidInput,
            TriggerRules.CheckAgentMayHaveTriggers(ExecutionMode.SubAgent)?.Code
        );
        Assert.Null(TriggerRules.CheckAgentMayHaveTriggers(ExecutionMode.Request));
        Assert.Null(TriggerRules.CheckAgentMayHaveTriggers(ExecutionMode.HITL));
    }

    [Fact]
    public void A_second_api_trigger_is_a_conflict()
    {
        Assert.Equal(DomainErrorCodes.Conflict, TriggerRules.CheckOneApiTrigger(agentHasApiTrigger: true)?.Code);
        Assert.Null(TriggerRules.CheckOneApiTrigger(agentHasApiTrigger: false));
    }

    [Theory]
    [InlineData("nightly", true)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData(null, false)]
    public void A_trigger_name_is_not_blank(string? name, bool valid) =>
        Assert.Equal(valid, TriggerRules.CheckName(name) is null);

    [Fact]
    public void A_trigger_name_is_at_most_200_characters()
    {
        Assert.Null(TriggerRules.CheckName(new string('n', 200)));
        Assert.NotNull(TriggerRules.CheckName(new string('n', 201)));
    }

    [Fact]
    public void A_taken_name_is_a_conflict_naming_it()
    {
        var error = TriggerRules.CheckNameFree("nightly", takenByAnother: true);

        Assert.Equal(DomainErrorCodes.Conflict, error?.Code);
        Assert.Contains("'nightly'", error!.Message);
        Assert.Null(TriggerRules.CheckNameFree("nightly", takenByAnother: false));
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(null, -1)]
    public void Negative_limits_are_invalid(int? rpm, int? concurrent) =>
        Assert.Equal(DomainErrorCodes.InvalidInput, TriggerRules.CheckLimits(rpm, concurrent)?.Code);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(60, 5)]
    [InlineData(null, null)]
    public void Zero_means_unlimited_and_null_keeps_the_current_limit(int? rpm, int? concurrent) =>
        Assert.Null(TriggerRules.CheckLimits(rpm, concurrent));

    [Fact]
    public void An_api_edit_keeps_what_it_does_not_name()
    {
        var current = new ApiTriggerSettings
        {
            RpmLimit = 10,
            MaxConcurrentRuns = 2,
            IpAllowlist = ["10.0.0.0/8"],
            ExposeStepTimeline = false,
        };

        var edited = TriggerRules.ApplyApi(current, rpmLimit: 20, null, null, null);

        Assert.True(edited.IsSuccess);
        Assert.Equal(current with { RpmLimit = 20 }, edited.Value);
    }

    [Fact]
    public void An_api_edit_with_a_bad_entry_or_limit_is_refused()
    {
        Assert.False(TriggerRules.ApplyApi(new ApiTriggerSettings(), null, null, ["nope"], null).IsSuccess);
        Assert.False(TriggerRules.ApplyApi(new ApiTriggerSettings(), null, -3, null, null).IsSuccess);
    }

    [Theory]
    [InlineData("""{"report":"daily"}""", true)]
    [InlineData("null", true)]
    [InlineData("[1,2]", false)]
    [InlineData("\"text\"", false)]
    public void A_scheduled_input_is_an_object_or_null(string json, bool valid) =>
        Assert.Equal(valid, TriggerRules.CheckScheduledInput(JsonDocument.Parse(json).RootElement) is null);

    [Theory]
    [InlineData(null, true)]
    [InlineData("data.order", true)]
    [InlineData("items.0", true)]
    [InlineData("a..b", false)]
    [InlineData("a b", false)]
    public void An_event_input_path_is_dotted(string? path, bool valid) =>
        Assert.Equal(valid, TriggerRules.CheckInputPath(path) is null);

    [Fact]
    public void A_given_signing_secret_is_16_to_16384_characters()
    {
        Assert.NotNull(TriggerRules.CheckSigningSecret(new string('s', 15)));
        Assert.Null(TriggerRules.CheckSigningSecret(new string('s', 16)));
        Assert.Null(TriggerRules.CheckSigningSecret(new string('s', 16384)));
        Assert.NotNull(TriggerRules.CheckSigningSecret(new string('s', 16385)));
    }

    [Theory]
    [InlineData("api", true)]
    [InlineData("scheduled", true)]
    [InlineData("event", true)]
    [InlineData("webhook", false)]
    [InlineData(null, false)]
    public void Only_the_three_trigger_types_exist(string? type, bool known) =>
        Assert.Equal(known, TriggerRules.CheckType(type) is null);

    [Theory]
    [InlineData("0 9 * * *", false)]
    [InlineData("*/15 * * * * *", true)]
    public void Six_cron_fields_put_seconds_first(string cron, bool seconds) =>
        Assert.Equal(seconds, TriggerRules.CronHasSeconds(cron));

    [Fact]
    public void A_schedule_without_cron_text_is_refused() =>
        Assert.Equal(DomainErrorCodes.InvalidInput, TriggerRules.CheckCronPresent("  ")?.Code);
}
