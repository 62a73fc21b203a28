using Skein.Manifests.Parsing;

namespace Skein.Manifests.Tests;

/// <summary>The bounds check is the first thing a manifest meets: whatever the text, it answers with a problem or
/// null, never an exception (an exception there is a 500).</summary>
public sealed class YamlBoundsTests
{
    [Theory]
    [InlineData("name: \"\\uD800\"")]
    [InlineData("name: \"\\uDFFF tail\"")]
    [InlineData("a:\n  b: \"\\U0000D800\"")]
    [InlineData("a: \"\\U00110000\"")]
    public void An_escape_that_names_no_character_is_a_problem_not_an_exception(string yaml)
    {
        var problem = YamlBounds.Check(yaml, "manifest");

        Assert.NotNull(problem);
        Assert.Contains("not valid YAML", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_escape_passes() => Assert.Null(YamlBounds.Check("name: \"\\u00e9\\U0001F600\"", "manifest"));
}
