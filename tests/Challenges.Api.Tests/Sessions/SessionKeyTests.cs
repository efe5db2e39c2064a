using System.Security.Cryptography;
using Challenges.Api.Sessions;
using Challenges.Api.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Sessions;

/// <summary>Session key material: configured keys, the kid, the sealed form of a generated key, refresh tokens.</summary>
public sealed class SessionKeyTests
{
    [Fact]
    public void The_kid_is_the_RFC_7638_thumbprint()
    {
        // RFC 7638 section 3.1: the example key and its thumbprint.
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(
                "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs" +
                "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr" +
                "n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"),
            Exponent = Base64UrlEncoder.DecodeBytes("AQAB"),
        });

        var key = new SessionKey(rsa);

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.Id);
        Assert.Equal(key.Id, key.Jwk.Kid);
        Assert.False(key.CanSign);
    }

    [Fact]
    public void A_configured_key_may_be_PKCS8_PKCS1_or_a_public_key_to_verify_only()
    {
        using var rsa = RSA.Create(2048);

        var pkcs8 = SessionKey.FromConfiguration(rsa.ExportPkcs8PrivateKeyPem()).Key!;
        var pkcs1 = SessionKey.FromConfiguration(rsa.ExportRSAPrivateKeyPem()).Key!;
        var spki = SessionKey.FromConfiguration(rsa.ExportSubjectPublicKeyInfoPem()).Key!;

        Assert.True(pkcs8.CanSign);
        Assert.True(pkcs1.CanSign);
        Assert.False(spki.CanSign);
        Assert.Equal(pkcs8.Id, pkcs1.Id);
        Assert.Equal(pkcs8.Id, spki.Id);
    }

    [Fact]
    public void A_configured_key_may_be_the_path_of_a_PEM_file()
    {
        using var rsa = RSA.Create(2048);
        var path = Path.Combine(Path.GetTempPath(), $"challenges-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        try
        {
            Assert.True(SessionKey.FromConfiguration(path).Key!.CanSign);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Unusable_keys_are_refused_with_the_reason()
    {
        using var small = RSA.Create(1024);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Contains("1024 bits", SessionKey.FromConfiguration(small.ExportPkcs8PrivateKeyPem()).Problem, StringComparison.Ordinal);
        Assert.Contains("no RSA key", SessionKey.FromConfiguration(ec.ExportPkcs8PrivateKeyPem()).Problem, StringComparison.Ordinal);
        Assert.Contains("no RSA key", SessionKey.FromConfiguration("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----").Problem,
            StringComparison.Ordinal);
        Assert.Contains("readable PEM file", SessionKey.FromConfiguration("/no/such/key.pem").Problem, StringComparison.Ordinal);
        Assert.Contains("is empty", SessionKey.FromConfiguration(" ").Problem, StringComparison.Ordinal);
    }

    private static SigningKeySeal Seal(string secret) =>
        new(new SigningKeyProvider(Options.Create(new TokenOptions { SigningKey = secret }), NullLogger<SigningKeyProvider>.Instance));

    [Fact]
    public void A_sealed_key_opens_only_with_the_same_secret_for_the_same_tenant_and_untouched()
    {
        var seal = Seal("session-seal-test-secret-0123456789abcdef");
        using var rsa = RSA.Create(2048);
        var sealedKey = seal.Seal("tenant-a", rsa);

        using var opened = seal.Open("tenant-a", sealedKey);
        Assert.Equal(new SessionKey(rsa).Id, new SessionKey(opened!).Id);
        Assert.True(new SessionKey(opened!).CanSign);
        Assert.Null(seal.Open("tenant-b", sealedKey));
        Assert.Null(Seal("another-session-seal-secret-0123456789abc").Open("tenant-a", sealedKey));
        var tampered = System.Text.Json.Nodes.JsonNode.Parse(sealedKey)!;
        var data = Convert.FromBase64String(tampered["Data"]!.GetValue<string>());
        data[10] ^= 1;
        tampered["Data"] = Convert.ToBase64String(data);
        Assert.Null(seal.Open("tenant-a", tampered.ToJsonString()));
        Assert.Null(seal.Open("tenant-a", "not json"));
        Assert.Null(seal.Open("tenant-a", """{"Version":1,"Nonce":"AAAA","Data":"AAAA"}"""));
    }

    [Fact]
    public void Refresh_tokens_carry_256_random_bits_and_are_stored_as_their_SHA_256()
    {
        var token = RefreshTokens.New();

        Assert.Matches("^[0-9a-f]{64}$", token);
        Assert.NotEqual(token, RefreshTokens.New());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), RefreshTokens.Hash(token));
        Assert.True(RefreshTokens.SameHash(RefreshTokens.Hash(token), RefreshTokens.Hash(token)));
        Assert.False(RefreshTokens.SameHash(RefreshTokens.Hash(token), RefreshTokens.Hash(token + "0")));
    }
}
