using Skein.Core.Redaction;

namespace Skein.Core.Tests.Triggers;

public sealed class PayloadRedactionTests
{
    [Fact]
    public void Credential_looking_fields_are_masked_at_any_depth_and_other_fields_kept()
    {
        var payload = SkeinJson.Parse(
            """{"user":"ada","password":"hunter2","nested":{"apiKey":"k-1","items":"""
                + """[{"access_token":"t-1","qty":3}]},"Authorization":"Bearer x"}"""
        );

        var text = PayloadRedaction.Redact(payload, 10_000);

        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("k-1", text);
        Assert.DoesNotContain("t-1", text);
        Assert.DoesNotContain("Bearer x", text);
        var redacted = SkeinJson.Parse(text);
        Assert.Equal("ada", redacted.GetProperty("user").GetString());
        Assert.Equal(3, redacted.GetProperty("nested").GetProperty("items")[0].GetProperty("qty").GetInt32());
        Assert.Equal(PayloadRedaction.Mask, redacted.GetProperty("password").GetString());
    }

    [Fact]
    public void A_long_payload_is_cut_with_a_marker()
    {
        var payload = SkeinJson.Parse($$"""{"text":"{{new string('x', 500)}}"}""");

        var text = PayloadRedaction.Redact(payload, 100);

        Assert.StartsWith("{\"text\":\"xxx", text);
        Assert.EndsWith("… [truncated]", text);
        Assert.True(text.Length < 120);
    }
}
