using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.PushDelivery;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>The APNs provider token: its exact form and signature, and Apple's rules for its reuse.</summary>
public sealed class ApnsProviderTokenTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void A_provider_token_is_an_es256_jwt_with_kid_iss_and_iat_signed_by_the_key()
    {
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(1_795_314_592);

        var token = ApnsProviderToken.Create(_key, "KEY1234567", "TEAM123456", issuedAt);

        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("""{"alg":"ES256","kid":"KEY1234567"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])));
        Assert.Equal("""{"iss":"TEAM123456","iat":1795314592}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])));
        var signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(64, signature.Length);
        Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void A_tampered_provider_token_does_not_verify_with_the_key()
    {
        var parts = ApnsProviderToken.Create(_key, "KEY1234567", "TEAM123456", DateTimeOffset.UnixEpoch.AddYears(56)).Split('.');
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { iss = "OTHERTEAM1", iat = 1 }));
        Assert.False(_key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{claims}"), Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_same_token_serves_until_it_is_fifty_minutes_old_then_a_new_one_is_issued()
    {
        var clock = TestClock.StartingNow();
        var tokens = new ApnsProviderToken(_key, "KEY1234567", "TEAM123456", clock);

        var first = tokens.Current();
        clock.Advance(ApnsProviderToken.RefreshAge - TimeSpan.FromSeconds(1));
        Assert.Same(first, tokens.Current());
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = tokens.Current();

        Assert.NotEqual(first, second);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeSeconds(), IssuedAt(second));
        Assert.True(ApnsProviderToken.RefreshAge >= TimeSpan.FromMinutes(20) && ApnsProviderToken.RefreshAge < TimeSpan.FromHours(1));
    }

    [Fact]
    public void A_rejected_token_is_replaced_only_once_it_is_twenty_minutes_old()
    {
        var clock = TestClock.StartingNow();
        var tokens = new ApnsProviderToken(_key, "KEY1234567", "TEAM123456", clock);
        var first = tokens.Current();

        tokens.Rejected(first);
        clock.Advance(ApnsProviderToken.MinimumAge - TimeSpan.FromSeconds(1));
        Assert.Same(first, tokens.Current());
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = tokens.Current();
        Assert.NotEqual(first, second);

        // A rejection of a token already replaced says nothing about the new one.
        tokens.Rejected(first);
        clock.Advance(ApnsProviderToken.MinimumAge);
        Assert.Same(second, tokens.Current());
    }

    private static long IssuedAt(string token)
    {
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
        return claims.RootElement.GetProperty("iat").GetInt64();
    }
}
