using System.IdentityModel.Tokens.Jwt;
using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Tokens;

/// <summary>
/// The client token codec (docs/contract.md 1.3) on its own: what it issues, what it accepts, and every way a token can
/// be wrong. Forged tokens are made with a standard JWT library (IdentityModel) and the key derived by HKDF here, so
/// the only thing wrong with each is the one thing the test changes.
/// </summary>
public sealed class ClientTokenCodecTests
{
    private const string Secret = "codec-test-signing-key-0123456789abcdef0123456789";
    private static readonly TokenOptions Settings = new() { SigningKey = Secret };
    private static readonly byte[] Key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(Secret), 32, [],
        Encoding.UTF8.GetBytes("challenges/client-token-signing/v1"));

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    private TokenService Tokens(TimeProvider? clock = null) =>
        new(Options.Create(Settings), clock ?? _clock, new SigningKeyProvider(Options.Create(Settings), NullLogger<SigningKeyProvider>.Instance));

    private string Issue() => Tokens().Issue("tenant-a", "user-1", "signIn", "key-1", [Scopes.ReadAuthenticators]);

    private static string B64(string text) => Base64UrlEncoder.Encode(text);

    private static string Payload(string token) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));

    /// <summary>A token with <paramref name="payload"/> and <paramref name="header"/>, HMAC-signed with <paramref name="key"/>.</summary>
    private static string SignRaw(string header, string payload, byte[] key, HashAlgorithmName? algorithm = null) =>
        SignSegments(B64(header), B64(payload), key, algorithm);

    /// <summary>Signs two segments as they are, well-formed or not.</summary>
    private static string SignSegments(string header, string payload, byte[] key, HashAlgorithmName? algorithm = null)
    {
        var signed = $"{header}.{payload}";
        var input = Encoding.UTF8.GetBytes(signed);
        var mac = algorithm == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, input) : HMACSHA256.HashData(key, input);
        return $"{signed}.{Base64UrlEncoder.Encode(mac)}";
    }

    private const string Header = """{"alg":"HS256","typ":"JWT"}""";

    private string Claims(string? other = null, long? exp = null, long? nbf = null, long? iat = null, string iss = "challenges",
        string aud = "challenges", string extra = "")
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        other ??= """{"tenantId":"tenant-a","userId":"user-1","actionCode":"signIn","idempotencyKey":"key-1"}""";
        return $$"""{"sub":"user-1","scope":"read:authenticators","other":{{other}},"iss":"{{iss}}","aud":"{{aud}}","exp":{{exp ?? now + 600}},"iat":{{iat ?? now}},"nbf":{{nbf ?? now}}{{extra}}}""";
    }

    [Fact]
    public void An_issued_token_is_valid_and_carries_every_claim()
    {
        var authTime = _clock.GetUtcNow().AddSeconds(-5);
        var token = Tokens().Issue("tenant-a", "user-1", "signIn", "key-1", [Scopes.AddAuthenticators, Scopes.ReadAuthenticators],
            username: "ada", acr: "stepup", authTime: authTime);

        var check = Tokens().Check(token);

        Assert.Equal(TokenStatus.Valid, check.Status);
        var claims = check.Token!;
        Assert.Equal(("tenant-a", "user-1", "signIn", "key-1", "ada", "stepup"),
            (claims.TenantId, claims.UserId, claims.ActionCode, claims.IdempotencyKey, claims.Username, claims.Acr));
        Assert.Equal([Scopes.AddAuthenticators, Scopes.ReadAuthenticators], claims.Scopes);
        Assert.Equal(_clock.GetUtcNow(), claims.IssuedAt);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10), claims.ExpiresAt);
        Assert.Equal(authTime.ToUnixTimeSeconds(), claims.AuthTime!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_standard_jwt_library_validates_an_issued_token_and_reads_its_claims()
    {
        var token = Tokens().Issue("tenant-a", "user-1", "signIn", "key-1", [Scopes.ReadAuthenticators], username: "ada");
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = "challenges",
            ValidAudience = "challenges",
            IssuerSigningKey = new SymmetricSecurityKey(Key),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            // The library's own clock is the real one; the token was issued on the test's.
            LifetimeValidator = (_, _, _, _) => true,
        };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("user-1", jwt.Subject);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, jwt.IssuedAt);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, jwt.ValidFrom);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(10).UtcDateTime, jwt.ValidTo);

        // The older handler of the same family reads it too, with the contract's claim names unmapped.
        var principal = new JwtSecurityTokenHandler { MapInboundClaims = false }.ValidateToken(token, parameters, out _);
        Assert.Equal("read:authenticators", principal.FindFirst("scope")!.Value);
        Assert.Contains("\"tenantId\":\"tenant-a\"", principal.FindFirst("other")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_issued_by_a_standard_jwt_library_with_the_derived_key_is_accepted()
    {
        // As the server issued its tokens before it had a codec of its own: a rolling upgrade keeps them valid.
        var now = _clock.GetUtcNow();
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "challenges",
            Audience = "challenges",
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(10).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "user-1",
                ["scope"] = "read:authenticators",
                ["other"] = new Dictionary<string, object> { ["tenantId"] = "tenant-a", ["userId"] = "user-1", ["actionCode"] = "signIn", ["idempotencyKey"] = "key-1" },
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key) { KeyId = "challenges" }, SecurityAlgorithms.HmacSha256),
        });

        var check = Tokens().Check(token);

        Assert.Equal(TokenStatus.Valid, check.Status);
        Assert.Equal(("tenant-a", "user-1", "signIn", "key-1"), (check.Token!.TenantId, check.Token.UserId, check.Token.ActionCode, check.Token.IdempotencyKey));
    }

    [Fact]
    public void A_hand_signed_token_with_the_contract_claims_is_accepted()
    {
        // The baseline for the forgeries below: the same construction with nothing changed is valid.
        Assert.Equal(TokenStatus.Valid, Tokens().Check(SignRaw(Header, Claims(), Key)).Status);
    }

    [Fact]
    public void A_tampered_payload_is_invalid()
    {
        var parts = Issue().Split('.');
        var tampered = $"{parts[0]}.{B64(Payload(Issue()).Replace("\"signIn\"", "\"payment\"", StringComparison.Ordinal))}.{parts[2]}";

        Assert.Equal(TokenStatus.Invalid, Tokens().Check(tampered).Status);
    }

    [Fact]
    public void A_tampered_signature_is_invalid()
    {
        var token = Issue();
        var last = token[^2] == 'A' ? 'B' : 'A';
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(token[..^2] + last + token[^1]).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(token[..^1]).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(token + "A").Status);
    }

    [Fact]
    public void An_alg_none_token_is_invalid()
    {
        var payload = Issue().Split('.')[1];
        Assert.Equal(TokenStatus.Invalid, Tokens().Check($"{B64("""{"alg":"none","typ":"JWT"}""")}.{payload}.").Status);
        // Even with a valid HS256 signature under the none header.
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw("""{"alg":"none","typ":"JWT"}""", Claims(), Key)).Status);
    }

    [Fact]
    public void An_hs512_token_signed_with_the_right_key_is_invalid()
    {
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw("""{"alg":"HS512","typ":"JWT"}""", Claims(), Key, HashAlgorithmName.SHA512)).Status);
        // An HS512 header over an HS256 signature is refused too: the header decides nothing but must say HS256.
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw("""{"alg":"HS512","typ":"JWT"}""", Claims(), Key)).Status);
    }

    [Theory]
    [InlineData("""{"alg":"HS256"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""{"alg":"hs256","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWE"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","crit":["exp"]}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","jku":"https://evil.example/keys"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","alg":"none"}""")]
    [InlineData("""{"alg":"HS256","typ":"JWT","kid":7}""")]
    [InlineData("""["HS256"]""")]
    [InlineData("""{"alg":"HS256","typ":"JWT"} x""")]
    public void A_header_other_than_hs256_jwt_is_invalid_even_when_signed_with_the_right_key(string header)
    {
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(header, Claims(), Key)).Status);
    }

    [Fact]
    public void A_header_with_a_key_id_is_accepted()
    {
        Assert.Equal(TokenStatus.Valid, Tokens().Check(SignRaw("""{"typ":"JWT","kid":"any","alg":"HS256"}""", Claims(), Key)).Status);
    }

    [Fact]
    public void A_token_signed_with_another_key_is_invalid()
    {
        var otherKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes("another-signing-key-0123456789abcdef0123456789"), 32, [],
            Encoding.UTF8.GetBytes("challenges/client-token-signing/v1"));
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(), otherKey)).Status);
        // The configured secret itself is not the key either.
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(), Encoding.UTF8.GetBytes(Secret))).Status);
    }

    [Fact]
    public void An_expired_token_is_expired_and_keeps_its_claims_only_past_the_clock_skew()
    {
        var token = Issue();
        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(29));
        Assert.Equal(TokenStatus.Valid, Tokens().Check(token).Status);

        _clock.Advance(TimeSpan.FromSeconds(1));
        var check = Tokens().Check(token);
        Assert.Equal(TokenStatus.Expired, check.Status);
        Assert.Equal("key-1", check.Token!.IdempotencyKey);
    }

    [Fact]
    public void A_forged_expired_token_is_invalid_not_expired()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var forged = SignRaw(Header, Claims(exp: now - 3600, iat: now - 4200, nbf: now - 4200), Encoding.UTF8.GetBytes("not the key"));
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(forged).Status);
    }

    [Fact]
    public void A_token_not_yet_valid_beyond_the_clock_skew_is_invalid()
    {
        var ahead = new FakeTimeProvider(_clock.GetUtcNow().AddSeconds(31));
        var early = Tokens(ahead).Issue("tenant-a", "user-1", "signIn", "key-1", [Scopes.ReadAuthenticators]);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(early).Status);

        var withinSkew = new FakeTimeProvider(_clock.GetUtcNow().AddSeconds(29));
        Assert.Equal(TokenStatus.Valid, Tokens().Check(Tokens(withinSkew).Issue("tenant-a", "user-1", "signIn", "key-1", [])).Status);

        // nbf and iat are each checked.
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(nbf: now + 60), Key)).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(iat: now + 60), Key)).Status);
    }

    [Fact]
    public void A_token_for_another_issuer_or_audience_is_invalid()
    {
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(iss: "someone-else"), Key)).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(aud: "someone-else"), Key)).Status);
    }

    [Fact]
    public void A_token_names_the_tenant_it_was_issued_for()
    {
        // Whether that tenant may use it is the caller's judgement (Bearer and validate refuse another tenant's token).
        var check = Tokens().Check(Tokens().Issue("tenant-b", "user-1", "signIn", "key-1", []));
        Assert.Equal(TokenStatus.Valid, check.Status);
        Assert.Equal("tenant-b", check.Token!.TenantId);
        Assert.Equal("tenant-b", TokenService.TenantNamedBy(Tokens().Issue("tenant-b", "user-1", "signIn", "key-1", [])));
    }

    [Theory]
    [InlineData("""{"tenantId":"tenant-a","userId":"user-1","actionCode":"signIn"}""", "")]
    [InlineData("""{"tenantId":7,"userId":"user-1","actionCode":"signIn","idempotencyKey":"key-1"}""", "")]
    [InlineData("\"tenant-a\"", "")]
    [InlineData(null, ""","exp":1""")]
    [InlineData(null, ""","other":{}""")]
    public void A_signed_payload_with_a_missing_repeated_or_mistyped_claim_is_invalid(string? other, string extra)
    {
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(other, extra: extra), Key)).Status);
    }

    [Fact]
    public void Times_that_are_not_whole_unix_seconds_in_range_are_invalid()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims().Replace($"\"exp\":{now + 600}", "\"exp\":\"soon\"", StringComparison.Ordinal), Key)).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims().Replace($"\"exp\":{now + 600}", $"\"exp\":{now + 600}.5", StringComparison.Ordinal), Key)).Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignRaw(Header, Claims(exp: 99999999999999), Key)).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("abc.def.ghi")]
    public void Malformed_tokens_are_invalid(string token)
    {
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(token).Status);
        Assert.Null(TokenService.TenantNamedBy(token));
    }

    [Fact]
    public void Segments_outside_the_unpadded_base64url_alphabet_are_invalid_even_when_signed_with_the_right_key()
    {
        var header = B64(Header);
        // A payload whose base64url has both of the characters that differ from base64's (at one of three alignments).
        var payload = Enumerable.Range(0, 3)
            .Select(n => B64(Claims(extra: $",\"x\":\"{new string('a', n)}\u00fb\u00ff~?>\u00ff?\"")))
            .First(p => p.Contains('-', StringComparison.Ordinal) && p.Contains('_', StringComparison.Ordinal));
        Assert.Equal(TokenStatus.Valid, Tokens().Check(SignSegments(header, payload, Key)).Status);
        var padded = payload + new string('=', (4 - payload.Length % 4) % 4);
        Assert.NotEqual(payload, padded);

        string[] malformed =
        [
            padded,
            payload.Replace('-', '+').Replace('_', '/'),
            payload.Insert(8, " "),
            payload.Insert(8, "\n"),
            payload + "é",
            // A length no base64 has.
            payload[..(payload.Length / 4 * 4 - 3)],
        ];
        foreach (var segment in malformed)
        {
            Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignSegments(header, segment, Key)).Status);
        }
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(SignSegments(header + "=", payload, Key)).Status);
        var token = Issue();
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(token + "=").Status);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(null).Status);
    }

    [Fact]
    public void An_oversized_token_is_refused_unread_even_when_genuinely_signed()
    {
        var padding = new string('x', 6200);
        var big = SignRaw(Header, Claims(extra: $",\"padding\":\"{padding}\""), Key);
        Assert.True(big.Length > 8192);
        Assert.Equal(TokenStatus.Invalid, Tokens().Check(big).Status);
        Assert.Null(TokenService.TenantNamedBy(big));

        // Unknown claims of a sensible size are skipped.
        var small = SignRaw(Header, Claims(extra: ",\"padding\":{\"nested\":[1,2,3]}"), Key);
        Assert.Equal(TokenStatus.Valid, Tokens().Check(small).Status);
    }
}
