using System.Text;
using Challenges.Api.Totp;

namespace Challenges.Api.Tests.Totp;

/// <summary>RFC 6238 Appendix B: the test app's code and the server's check agree with the RFC's vectors (SHA1, 8 digits there).</summary>
public sealed class TotpCodesTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void The_test_app_computes_the_rfc_6238_vectors(long unixSeconds, string expected) =>
        Assert.Equal(expected, TotpKit.Code(RfcSecret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds), digits: 8));

    [Theory]
    [InlineData(59L)]
    [InlineData(1111111109L)]
    [InlineData(1234567890L)]
    [InlineData(2000000000L)]
    public void The_server_accepts_the_six_digit_code_of_the_rfc_vector_time_and_names_its_step(long unixSeconds)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        var code = TotpKit.Code(RfcSecret, at);
        // The RFC's 8-digit codes end with the 6-digit one (the same truncated value, modulo 10^6).
        Assert.EndsWith(code, TotpKit.Code(RfcSecret, at, digits: 8), StringComparison.Ordinal);
        Assert.Equal(unixSeconds / 30, TotpCodes.Match(RfcSecret, code, at));
    }

    [Fact]
    public void The_server_accepts_one_step_of_drift_either_way_and_no_more()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
        var step = now.ToUnixTimeSeconds() / 30;
        Assert.Equal(step - 1, TotpCodes.Match(RfcSecret, TotpKit.Code(RfcSecret, now.AddSeconds(-30)), now));
        Assert.Equal(step + 1, TotpCodes.Match(RfcSecret, TotpKit.Code(RfcSecret, now.AddSeconds(30)), now));
        Assert.Null(TotpCodes.Match(RfcSecret, TotpKit.Code(RfcSecret, now.AddSeconds(-60)), now));
        Assert.Null(TotpCodes.Match(RfcSecret, TotpKit.Code(RfcSecret, now.AddSeconds(60)), now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12345a")]
    [InlineData("١٢٣٤٥٦")]
    public void A_malformed_code_matches_nothing(string code) =>
        Assert.Null(TotpCodes.Match(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(59)));

    [Fact]
    public void The_uri_is_the_key_uri_format_with_issuer_and_account_escaped()
    {
        var uri = TotpCodes.Uri("Acme: Bank", "ann@example.com", "JBSWY3DPEHPK3PXP");
        Assert.Equal("otpauth://totp/Acme%3A%20Bank:ann%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%3A%20Bank&algorithm=SHA1&digits=6&period=30", uri);
    }

    [Theory]
    [InlineData("otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=1")]
    [InlineData("otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256")]
    [InlineData("otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=8")]
    [InlineData("otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&period=60")]
    [InlineData("otpauth://totp/X:y?secret=JBSWY3DP")]
    [InlineData("otpauth://totp/X:y?secret=not-base32!")]
    [InlineData("otpauth://totp/X:y")]
    [InlineData("https://example.com/?secret=JBSWY3DPEHPK3PXP")]
    [InlineData("not a uri")]
    public void An_otp_uri_the_server_cannot_compute_is_refused(string uri) =>
        Assert.NotNull(TotpCodes.ParseUri(uri).Error);

    [Fact]
    public void A_google_style_uri_with_lower_case_padded_secret_is_read()
    {
        var parsed = TotpCodes.ParseUri("otpauth://totp/Example:alice@google.com?secret=jbswy3dpehpk3pxp&issuer=Example");
        Assert.Null(parsed.Error);
        Assert.Equal(TotpKit.FromBase32("JBSWY3DPEHPK3PXP"), parsed.Value);
    }
}
