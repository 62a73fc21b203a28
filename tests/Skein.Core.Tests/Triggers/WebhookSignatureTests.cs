using System.Text;
using Skein.Core.Triggers;

namespace Skein.Core.Tests.Triggers;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec-0123456789abcdef";
    private const long Sent = 1_700_000_000;
    private const string SentText = "1700000000";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Sent);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"order":{"id":42}}""");

    private static string? Check(string? timestamp, string? delivery, byte[] body, string? signature) =>
        WebhookSignature.Check(Secret, timestamp, delivery, body, signature, Now);

    [Fact]
    public void The_signature_is_the_hex_hmac_sha256_of_timestamp_dot_delivery_id_dot_body()
    {
        // Computed independently: printf '%s' '1700000000.d-1.{"order":{"id":42}}' | openssl dgst -sha256 -hmac
        // 'whsec-0123456789abcdef' (and with an empty delivery id: '1700000000..{…}').
        Assert.Equal(
            "sha256=4cda35452c5e171304a1633015ff98eaf88a1c1617340983ef3a51de7b890017",
            WebhookSignature.Compute(Secret, Sent, "d-1", Body)
        );
        Assert.Equal(
            "sha256=f7d8ae793842bef13a366dd06293a438e8d0654a6922d017d5bfadb2ee751450",
            WebhookSignature.Compute(Secret, Sent, null, Body)
        );
    }

    [Fact]
    public void A_correct_signature_is_accepted_in_either_hex_case()
    {
        var signature = WebhookSignature.Compute(Secret, Sent, "d-1", Body);
        Assert.Null(Check(SentText, "d-1", Body, signature));
        Assert.Null(Check(SentText, "d-1", Body, "sha256=" + signature["sha256=".Length..].ToUpperInvariant()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz")]
    [InlineData("sha1=0123")]
    [InlineData("0123456789abcdef")]
    public void A_missing_or_malformed_signature_is_rejected(string? header) =>
        Assert.NotNull(Check(SentText, null, Body, header));

    [Fact]
    public void Changing_the_delivery_id_the_timestamp_or_the_body_breaks_the_signature()
    {
        var signature = WebhookSignature.Compute(Secret, Sent, "d-1", Body);

        Assert.NotNull(Check(SentText, "d-2", Body, signature));
        Assert.NotNull(Check(SentText, null, Body, signature));
        Assert.NotNull(Check("1700000001", "d-1", Body, signature));
        Assert.NotNull(Check(SentText, "d-1", Encoding.UTF8.GetBytes("""{"order":{"id":43}}"""), signature));
        Assert.NotNull(WebhookSignature.Check("another-secret-value", SentText, "d-1", Body, signature, Now));
    }

    [Theory]
    [InlineData(-301, false)]
    [InlineData(-299, true)]
    [InlineData(299, true)]
    [InlineData(301, false)]
    public void A_timestamp_more_than_five_minutes_from_the_clock_is_refused(int offsetSeconds, bool accepted)
    {
        var sent = Sent + offsetSeconds;
        var signature = WebhookSignature.Compute(Secret, sent, null, Body);

        var error = Check(sent.ToString(System.Globalization.CultureInfo.InvariantCulture), null, Body, signature);

        Assert.Equal(accepted, error is null);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("1700000000.5")]
    [InlineData("99999999999999999999999")]
    public void A_missing_or_malformed_timestamp_is_refused(string? timestamp) =>
        Assert.NotNull(Check(timestamp, null, Body, WebhookSignature.Compute(Secret, Sent, null, Body)));

    [Fact]
    public void Without_a_secret_nothing_verifies() =>
        Assert.NotNull(
            WebhookSignature.Check("", SentText, null, Body, WebhookSignature.Compute("", Sent, null, Body), Now)
        );
}
