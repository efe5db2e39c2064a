using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tokens;

/// <summary>
/// Issues and reads client tokens: HS256 pinned, issuer and audience checked, lifetime against
/// <see cref="TimeProvider"/> with a bounded skew. The same parameters serve the JwtBearer scheme.
/// </summary>
public sealed class TokenService
{
    private readonly TokenOptions _options;
    private readonly TimeProvider _time;
    private readonly SigningCredentials _credentials;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public TokenService(IOptions<TokenOptions> options, TimeProvider time, SigningKeyProvider keys)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        _options = options.Value;
        _time = time;
        Key = new SymmetricSecurityKey(keys.TokenKey) { KeyId = "challenges" };
        _credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = _options.Issuer,
            ValidAudience = _options.Audience,
            IssuerSigningKey = Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = _options.ClockSkew,
            LifetimeValidator = ValidateLifetime,
            NameClaimType = "sub",
        };
        _readParameters = ValidationParameters.Clone();
        _readParameters.ValidateLifetime = false;
        // A lifetime delegate runs even with ValidateLifetime off; CheckAsync judges expiry itself so expired tokens keep their claims.
        _readParameters.LifetimeValidator = null;
    }

    /// <summary><see cref="ValidationParameters"/> without the lifetime check, for <see cref="CheckAsync"/>.</summary>
    private readonly TokenValidationParameters _readParameters;

    public SymmetricSecurityKey Key { get; }

    public TokenValidationParameters ValidationParameters { get; }

    public string Issue(string tenantId, string userId, string actionCode, string idempotencyKey, IEnumerable<string> scopes,
        string? username = null, string? acr = null, DateTimeOffset? authTime = null)
    {
        var now = _time.GetUtcNow();
        var other = new Dictionary<string, object>
        {
            ["tenantId"] = tenantId,
            ["userId"] = userId,
            ["actionCode"] = actionCode,
            ["idempotencyKey"] = idempotencyKey,
        };
        if (username is not null)
        {
            other["username"] = username;
        }
        var claims = new Dictionary<string, object>
        {
            ["sub"] = userId,
            ["scope"] = string.Join(' ', scopes),
            ["other"] = other,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (acr is not null)
        {
            claims["acr"] = acr;
        }
        if (authTime is { } at)
        {
            claims["auth_time"] = at.ToUnixTimeSeconds();
        }
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(_options.Lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Checks signature, algorithm, issuer and audience, then the lifetime; expired tokens keep their claims.</summary>
    public async Task<TokenCheck> CheckAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return new TokenCheck(TokenStatus.Invalid, null);
        }
        var result = await _handler.ValidateTokenAsync(token, _readParameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || Read(jwt) is not { } claims)
        {
            return new TokenCheck(TokenStatus.Invalid, null);
        }
        var now = _time.GetUtcNow();
        if (claims.ExpiresAt + _options.ClockSkew <= now || claims.IssuedAt - _options.ClockSkew > now)
        {
            return new TokenCheck(TokenStatus.Expired, claims);
        }
        return new TokenCheck(TokenStatus.Valid, claims);
    }

    /// <summary>Reads the claims of a token whose signature has already been checked.</summary>
    public static ClientToken? Read(JsonWebToken jwt)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            var root = payload.RootElement;
            if (!root.TryGetProperty("other", out var other) || other.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            string? Str(JsonElement e, string name) =>
                e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var tenantId = Str(other, "tenantId");
            var userId = Str(other, "userId");
            var actionCode = Str(other, "actionCode");
            var idempotencyKey = Str(other, "idempotencyKey");
            if (tenantId is null || userId is null || actionCode is null || idempotencyKey is null ||
                !root.TryGetProperty("iat", out var iat) || !root.TryGetProperty("exp", out var exp) ||
                !iat.TryGetInt64(out var issuedAt) || !exp.TryGetInt64(out var expiresAt))
            {
                return null;
            }
            DateTimeOffset? authTime = root.TryGetProperty("auth_time", out var at) && at.TryGetInt64(out var atSeconds)
                ? DateTimeOffset.FromUnixTimeSeconds(atSeconds)
                : null;
            return new ClientToken(tenantId, userId, actionCode, idempotencyKey, Scopes.Parse(Str(root, "scope")),
                DateTimeOffset.FromUnixTimeSeconds(issuedAt), DateTimeOffset.FromUnixTimeSeconds(expiresAt),
                Str(other, "username"), Str(root, "acr"), authTime);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The tenant a token's claims name, without checking its signature: only for choosing what a response may say to
    /// a browser (CORS), never for deciding what the request may do.
    /// </summary>
    public static string? TenantNamedBy(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }
        try
        {
            return Read(new JsonWebToken(token))?.TenantId;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiry.");
        }
        if (expires.Value.Add(_options.ClockSkew) <= now)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }
        if (notBefore is { } nbf && nbf.Subtract(_options.ClockSkew) > now)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }
        return true;
    }
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
