using System.Text.Json;
using Skein.Core.Triggers;

namespace Skein.Core.Tests.Triggers;

public sealed class PayloadSelectionTests
{
    private static readonly JsonElement Payload = SkeinJson.Parse(
        """{"type":"order.created","data":{"order":{"id":42,"lines":[{"sku":"A"},{"sku":"B"}]}}}"""
    );

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_path_selects_the_whole_payload(string? path)
    {
        var (value, error) = PayloadSelection.Select(Payload, path);
        Assert.Null(error);
        Assert.Equal(Payload.GetRawText(), value?.GetRawText());
    }

    [Fact]
    public void A_dotted_path_selects_the_nested_object() =>
        Assert.Equal(42, PayloadSelection.Select(Payload, "data.order").Value?.GetProperty("id").GetInt32());

    [Fact]
    public void A_numeric_segment_indexes_an_array() =>
        Assert.Equal("B", PayloadSelection.Select(Payload, "data.order.lines.1.sku").Value?.GetString());

    [Fact]
    public void A_missing_segment_is_an_error_naming_it()
    {
        var (value, error) = PayloadSelection.Select(Payload, "data.customer.id");
        Assert.Null(value);
        Assert.Contains("'customer'", error);
    }

    [Theory]
    [InlineData("data.order", true)]
    [InlineData("items.0", true)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("a b", false)]
    public void Paths_are_validated_before_they_are_saved(string path, bool valid) =>
        Assert.Equal(valid, PayloadSelection.IsValidPath(path));
}
