using System.Text;
using Challenges.Api.Otp;

namespace Challenges.Api.Tests.Otp;

/// <summary>The OTP crypto against vectors computed independently (Python's hmac module).</summary>
public sealed class OtpCodesTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("otp-test-key-0123456789abcdef0123456789");
    private readonly OtpCodes _codes = new(Key);

    [Theory]
    [InlineData("3f1c1b8e-2a4d-4b7e-9a51-6f0c2d9e8a11", "157743", "3k/GxFR+Kiq4fB8DPpy4mj9jUTHaGjHshvX5Ole+4cY=")]
    [InlineData("challenge-2", "000042", "80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTs=")]
    public void Hash_is_hmac_sha256_of_challenge_id_and_code_keyed_by_the_signing_key(string challengeId, string code, string expected)
    {
        Assert.Equal(expected, _codes.Hash(challengeId, code));
        Assert.True(_codes.Matches(challengeId, code, expected));
    }

    [Fact]
    public void A_wrong_code_does_not_match()
    {
        Assert.False(_codes.Matches("challenge-2", "000043", "80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTs="));
    }

    [Fact]
    public void The_right_code_for_another_challenge_does_not_match()
    {
        Assert.False(_codes.Matches("challenge-3", "000042", "80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTs="));
    }

    [Fact]
    public void A_tampered_hash_does_not_match()
    {
        Assert.False(_codes.Matches("challenge-2", "000042", "80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTt="));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bz")]
    [InlineData("80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTs80Aupo/jG9GQ=")]
    public void A_hash_of_the_wrong_format_does_not_match(string stored)
    {
        Assert.False(_codes.Matches("challenge-2", "000042", stored));
    }

    [Fact]
    public void A_different_key_gives_a_different_hash()
    {
        var other = new OtpCodes(Encoding.UTF8.GetBytes("another-key-0123456789abcdef0123456789"));
        Assert.False(other.Matches("challenge-2", "000042", "80Aupo/jG9GQMLdYPtmPgz8GjadbeKF5Ofnoc6bzCTs="));
    }

    [Fact]
    public void A_short_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new OtpCodes(new byte[16]));
    }

    [Fact]
    public void Generated_codes_are_six_digits_with_leading_zeros_kept_and_spread_over_the_range()
    {
        var codes = Enumerable.Range(0, 2000).Select(_ => OtpCodes.Generate(6)).ToList();
        Assert.All(codes, c => Assert.Matches("^[0-9]{6}$", c));
        Assert.True(codes.Distinct().Count() > 1990, "codes repeat far more than chance allows");
        // Each leading digit should appear about 200 times in 2000 codes; all ten must appear.
        Assert.Equal(10, codes.Select(c => c[0]).Distinct().Count());
    }

    [Fact]
    public void Generated_code_length_follows_the_configured_digits()
    {
        Assert.Matches("^[0-9]{8}$", OtpCodes.Generate(8));
    }
}
