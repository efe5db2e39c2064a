using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tokens;

/// <summary>
/// Issues and checks client tokens (docs/contract.md 1.3) with <see cref="Hs256Jwt"/> and the key derived for them,
/// rule after rule: form, header and signature; the claims; issuer and audience; then the lifetime against
/// <see cref="TimeProvider"/> with the configured skew. Only a genuine token of ours past its expiry is
/// <see cref="TokenStatus.Expired"/>; everything else that fails is <see cref="TokenStatus.Invalid"/>.
/// </summary>
public sealed class TokenService
{
    private readonly TokenOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _key;

    public TokenService(IOptions<TokenOptions> options, TimeProvider time, SigningKeyProvider keys)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _options = options.Value;
        _time = time;
        _key = keys.TokenKey;
    }

    public string Issue(string tenantId, string userId, string actionCode, string idempotencyKey, IEnumerable<string> scopes,
        string? username = null, string? acr = null, DateTimeOffset? authTime = null)
    {
        // Whole seconds, as the token carries them.
        var now = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var token = new ClientToken(tenantId, userId, actionCode, idempotencyKey, [.. scopes], now, now.Add(_options.Lifetime),
            username, acr, authTime);
        var payload = ClientTokenClaims.Write(token, _options.Issuer, _options.Audience, Guid.NewGuid().ToString("N"));
        return Hs256Jwt.Sign(_key, payload);
    }

    /// <summary>Checks a token; a genuine one past its expiry is <see cref="TokenStatus.Expired"/> and keeps its claims.</summary>
    public TokenCheck Check(string? token)
    {
        if (Hs256Jwt.Verify(_key, token) is not { } json ||
            ClientTokenClaims.Read(json) is not { } claims ||
            claims.Issuer != _options.Issuer || claims.Audience != _options.Audience)
        {
            return Invalid;
        }
        var now = _time.GetUtcNow();
        var skew = _options.ClockSkew;
        if (claims.NotBefore - skew > now || claims.Token.IssuedAt - skew > now)
        {
            return Invalid;
        }
        return new TokenCheck(claims.Token.ExpiresAt + skew <= now ? TokenStatus.Expired : TokenStatus.Valid, claims.Token);
    }

    public Task<TokenCheck> CheckAsync(string? token) => Task.FromResult(Check(token));

    private static readonly TokenCheck Invalid = new(TokenStatus.Invalid, null);

    /// <summary>
    /// The tenant a token's claims name, without checking its signature: only for choosing what a response may say to
    /// a browser (CORS), never for deciding what the request may do.
    /// </summary>
    public static string? TenantNamedBy(string token) =>
        Hs256Jwt.UnverifiedPayload(token) is { } json ? ClientTokenClaims.TenantNamed(json) : null;
}

/// <summary>
/// The server's secret (<c>Tokens__SigningKey</c>, or random per process in Development) and the keys derived from it,
/// one per purpose with HKDF-SHA256 and a distinct label: the key that signs client tokens never keys an OTP hash, so
/// neither use can be turned against the other.
/// </summary>
public sealed class SigningKeyProvider
{
    public const string TokenLabel = "challenges/client-token-signing/v1";
    public const string OtpLabel = "challenges/otp-hash/v1";

    public SigningKeyProvider(IOptions<TokenOptions> options, ILogger<SigningKeyProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The options validator has already refused an empty key outside Development and a short one anywhere.
        var configured = options.Value.SigningKey;
        byte[] secret;
        if (string.IsNullOrEmpty(configured))
        {
            secret = RandomNumberGenerator.GetBytes(32);
            TokenLog.RandomSigningKey(logger);
        }
        else
        {
            secret = Encoding.UTF8.GetBytes(configured);
        }
        TokenKey = Derive(secret, TokenLabel);
        OtpKey = Derive(secret, OtpLabel);
    }

    /// <summary>HS256 key for client tokens.</summary>
    public byte[] TokenKey { get; }

    /// <summary>HMAC-SHA256 key for stored OTP hashes.</summary>
    public byte[] OtpKey { get; }

    /// <summary>32 bytes for <paramref name="label"/>'s purpose, from <paramref name="secret"/> (RFC 5869, no salt).</summary>
    public static byte[] Derive(byte[] secret, string label) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: Encoding.UTF8.GetBytes(label));
}

internal static partial class TokenLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Tokens__SigningKey is empty: using a random signing key for this process (Development only); tokens die with the process and are not accepted by other instances.")]
    public static partial void RandomSigningKey(ILogger logger);
}
