using Skein.Core.Agents;
using Skein.Core.Providers;
using Skein.Core.Triggers;

namespace Skein.Core.Tests.Configuration;

/// <summary>Names are shown and stored as text: a control character (a NUL above all, which PostgreSQL cannot store
/// in text) is refused by the rule, as a 400, never met by the database as a 500.</summary>
public sealed class NameControlCharacterTests
{
    [Theory]
    [InlineData("a\0b")]
    [InlineData("tab\there")]
    [InlineData("line\nbreak")]
    public void Names_with_control_characters_are_refused(string name)
    {
        Assert.NotNull(AgentRules.CheckName(name));
        Assert.NotNull(TriggerRules.CheckName(name));
        Assert.NotNull(ProviderRules.Check(name, null, null, null));
    }

    [Fact]
    public void Ordinary_names_pass()
    {
        Assert.Null(AgentRules.CheckName("Billing agent — ünïcode"));
        Assert.Null(TriggerRules.CheckName("nightly report"));
        Assert.Null(ProviderRules.Check("openai main", null, null, null));
    }
}
