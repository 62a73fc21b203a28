using System.Text;
using Skein.Core.Triggers;

namespace Skein.Core.Tests.Triggers;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec-0123456789abcdef";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"order":{"id":42}}""");

    [Fact]
    public void The_signature_is_the_lowercase_hex_hmac_sha256_of_the_body_with_a_sha256_prefix()
    {
        // Computed independently: printf '%s' '{"order":{"id":42}}' | openssl dgst -sha256 -hmac
        // 'whsec-0123456789abcdef'
        Assert.Equal(
            "sha256=88bad15db27613ad0d54e621b44802df90fd8bcbd55e727dc548531787ac4b29",
            WebhookSignature.Compute(Secret, Body)
        );
    }

    [Fact]
    public void A_correct_signature_is_accepted_in_either_hex_case()
    {
        var signature = WebhookSignature.Compute(Secret, Body);
        Assert.True(WebhookSignature.Verify(Secret, Body, signature));
        Assert.True(
            WebhookSignature.Verify(Secret, Body, "sha256=" + signature["sha256=".Length..].ToUpperInvariant())
        );
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz")]
    [InlineData("sha1=0123")]
    [InlineData("0123456789abcdef")]
    public void A_missing_or_malformed_signature_is_rejected(string? header) =>
        Assert.False(WebhookSignature.Verify(Secret, Body, header));

    [Fact]
    public void A_signature_made_with_another_secret_or_over_another_body_is_rejected()
    {
        Assert.False(WebhookSignature.Verify(Secret, Body, WebhookSignature.Compute("another-secret-value", Body)));
        Assert.False(
            WebhookSignature.Verify(
                Secret,
                Encoding.UTF8.GetBytes("""{"order":{"id":43}}"""),
                WebhookSignature.Compute(Secret, Body)
            )
        );
    }

    [Fact]
    public void Without_a_secret_nothing_verifies() =>
        Assert.False(WebhookSignature.Verify("", Body, WebhookSignature.Compute("", Body)));
}
