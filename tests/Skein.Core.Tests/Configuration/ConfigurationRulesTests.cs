using System.Text.Json;
using Skein.Core.Agents;
using Skein.Core.Integrations;
using Skein.Core.Providers;
using Skein.Core.Secrets;

namespace Skein.Core.Tests.Configuration;

/// <summary>The configuration rules the application services, the API and manifest apply all use.</summary>
public sealed class ConfigurationRulesTests
{
    [Theory]
    [InlineData("https://api.example/v1", true)]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("ftp://api.example", false)]
    [InlineData("/relative", false)]
    [InlineData("not a url", false)]
    public void A_base_url_is_an_absolute_http_url(string url, bool valid) => Assert.Equal(valid, BaseUrl.IsValid(url));

    [Fact]
    public void A_base_url_longer_than_the_limit_is_refused() =>
        Assert.False(BaseUrl.IsValid("https://h.example/" + new string('a', BaseUrl.MaxLength)));

    [Theory]
    [InlineData(null, false)]
    [InlineData("  ", false)]
    [InlineData("support-bot", true)]
    public void An_agent_name_is_not_blank(string? name, bool valid) =>
        Assert.Equal(valid, AgentRules.CheckName(name) is null);

    [Theory]
    [InlineData("Request", ExecutionMode.Request)]
    [InlineData("HITL", ExecutionMode.HITL)]
    [InlineData("SubAgent", ExecutionMode.SubAgent)]
    public void Execution_modes_parse_from_their_wire_strings(string text, ExecutionMode mode) =>
        Assert.Equal(mode, AgentRules.ParseMode(text).Value);

    [Theory]
    [InlineData(null)]
    [InlineData("hitl")]
    [InlineData("Yolo")]
    public void Other_execution_modes_are_invalid_input(string? text) =>
        Assert.Equal(DomainErrorCodes.InvalidInput, AgentRules.ParseMode(text).Error?.Code);

    [Fact]
    public void Only_an_agent_without_triggers_can_become_a_sub_agent()
    {
        Assert.Equal(DomainErrorCodes.Conflict, AgentRules.CheckModeChange(ExecutionMode.SubAgent, true)?.Code);
        Assert.Null(AgentRules.CheckModeChange(ExecutionMode.SubAgent, false));
        Assert.Null(AgentRules.CheckModeChange(ExecutionMode.HITL, true));
    }

    [Fact]
    public void An_agent_with_a_live_version_is_not_deletable()
    {
        var live = new VersionLine(Guid.NewGuid(), "v3", VersionState.Deployed, DateTime.UnixEpoch, DateTime.UnixEpoch);

        Assert.Contains("v3", AgentRules.CheckDeletable(live)?.Message);
        Assert.Null(AgentRules.CheckDeletable(null));
    }

    [Theory]
    [InlineData("p", "openai", "https://api.example", null)]
    [InlineData(null, null, null, null)]
    [InlineData("p", "scripted", "", null)]
    [InlineData("", "openai", null, "name")]
    [InlineData("p", "anthropic", null, null)]
    [InlineData("p", "gemini", null, "kind")]
    [InlineData("p", "openai", "file:///etc", "baseUrl")]
    public void Provider_settings_follow_their_rules(string? name, string? kind, string? baseUrl, string? refused)
    {
        var error = ProviderRules.Check(name, kind, baseUrl, null);

        Assert.Equal(refused is null, error is null);
        if (refused is not null)
        {
            Assert.Contains(refused, error?.Message);
        }
    }

    [Fact]
    public void Provider_model_ids_are_not_blank() =>
        Assert.NotNull(ProviderRules.Check(null, null, null, ["gpt", " "]));

    [Theory]
    [InlineData("none", null, null, null)]
    [InlineData("bearer", null, "crm-token", null)]
    [InlineData("header", "X-Api-Key", "crm-key", null)]
    [InlineData("basic", null, "k", "authType")]
    [InlineData("bearer", null, null, "authSecretName")]
    [InlineData("header", null, "k", "authHeaderName")]
    [InlineData("header", "X Api", "k", "authHeaderName")]
    public void Integration_auth_needs_what_its_type_sends(
        string authType,
        string? header,
        string? secret,
        string? refused
    )
    {
        var error = IntegrationRules.Check(new("crm", "https://crm.example", authType, header, secret));

        Assert.Equal(refused is null, error is null);
        if (refused is not null)
        {
            Assert.Contains(refused, error?.Message);
        }
    }

    [Fact]
    public void A_stored_integration_field_the_change_does_not_set_is_not_judged_again()
    {
        var settings = new IntegrationSettings("crm", "not-a-url", "none", null, null);

        Assert.NotNull(IntegrationRules.Check(settings));
        Assert.Null(IntegrationRules.Check(settings, nameChanged: false, baseUrlChanged: false));
    }

    [Theory]
    [InlineData("lookup_order", "get", "/orders/{id}", 30, null)]
    [InlineData("has space", null, null, null, "operation name")]
    [InlineData("ok", "TRACE", null, null, "method")]
    [InlineData("ok", null, "https://elsewhere/x", null, "path")]
    [InlineData("ok", null, null, 601, "timeoutSec")]
    public void Operation_settings_follow_their_rules(
        string? name,
        string? method,
        string? path,
        int? timeoutSec,
        string? refused
    )
    {
        var error = OperationRules.Check(name, method, path, null, timeoutSec, null, null);

        Assert.Equal(refused is null, error is null);
        if (refused is not null)
        {
            Assert.Contains(refused, error?.Message);
        }
    }

    [Fact]
    public void An_operation_schema_must_be_an_object()
    {
        Assert.NotNull(OperationRules.Check(null, null, null, null, null, null, JsonDocument.Parse("[]").RootElement));
        Assert.Null(OperationRules.Check(null, null, null, null, null, null, JsonDocument.Parse("{}").RootElement));
    }

    [Theory]
    [InlineData("crm-key", "v", true)]
    [InlineData("llm.provider_key-2", "v", true)]
    [InlineData("has space", "v", false)]
    [InlineData("", "v", false)]
    [InlineData("crm-key", "", false)]
    [InlineData("crm-key", null, false)]
    public void Secrets_have_url_safe_names_and_a_value(string name, string? value, bool valid) =>
        Assert.Equal(valid, SecretRules.Check(name, value) is null);

    [Fact]
    public void A_secret_value_is_bounded() =>
        Assert.NotNull(SecretRules.Check("k", new string('x', SecretRules.MaxValueLength + 1)));
}
