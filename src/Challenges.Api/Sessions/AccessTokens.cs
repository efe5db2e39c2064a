using Challenges.Api.Tokens;
using Challenges.Api.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Sessions;

/// <summary>What a genuine access token says, once its signature, algorithm and issuer have been checked.</summary>
public sealed record AccessTokenClaims(string UserId, string SessionId, string TokenId, string ClientId, DateTimeOffset ExpiresAt);

public sealed record AccessTokenCheck(TokenStatus Status, AccessTokenClaims? Claims);

/// <summary>
/// Session access tokens (docs/contract.md §2.4): RS256 JWTs signed with the tenant's first session key, <c>kid</c> in
/// the header, the tenant's issuer, the app client as audience. Reading pins RS256 and the tenant's own keys and
/// issuer, so no <c>none</c>, no HMAC keyed with a public key, no key or token of another tenant gets through.
/// </summary>
public sealed class AccessTokens(TimeProvider time)
{
    public const int MaxLength = 8192;

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>The issuer of a tenant's access tokens; its JWKS is at <c>{issuer}/.well-known/jwks.json</c>.</summary>
    public static string Issuer(string publicUrl, string tenantId) => $"{publicUrl}/v1/tenants/{Uri.EscapeDataString(tenantId)}";

    public string Issue(SessionKeyRing keys, string issuer, SessionRecord session, UserRecord user, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(user);
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = session.UserId,
            [JwtRegisteredClaimNames.Sid] = session.Id,
            [JwtRegisteredClaimNames.Jti] = session.AccessTokenId,
        };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                claims[name] = value;
            }
        }
        Add("verificationMethod", session.VerificationMethod);
        Add(JwtRegisteredClaimNames.Email, user.Email);
        Add(JwtRegisteredClaimNames.PhoneNumber, user.PhoneNumber);
        Add(JwtRegisteredClaimNames.PreferredUsername, user.Username);
        Add(JwtRegisteredClaimNames.Name, user.DisplayName);
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = session.ClientId,
            IssuedAt = time.GetUtcNow().UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Claims = claims,
            SigningCredentials = keys.Credentials,
        });
    }

    /// <summary>Checks signature, algorithm and issuer, then the lifetime; an expired token keeps its claims.</summary>
    public async Task<AccessTokenCheck> CheckAsync(SessionKeyRing keys, string issuer, string? token)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return new AccessTokenCheck(TokenStatus.Invalid, null);
        }
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            IssuerSigningKeys = keys.Keys.Select(k => k.SecurityKey),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            // Judged below against TimeProvider, so that an expired token still says which session it belongs to.
            ValidateLifetime = false,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || Read(jwt) is not { } claims)
        {
            return new AccessTokenCheck(TokenStatus.Invalid, null);
        }
        return new AccessTokenCheck(claims.ExpiresAt <= time.GetUtcNow() ? TokenStatus.Expired : TokenStatus.Valid, claims);
    }

    private static AccessTokenClaims? Read(JsonWebToken jwt)
    {
        var audiences = jwt.Audiences.ToList();
        return jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub) &&
               jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sid, out var sid) &&
               jwt.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Jti, out var jti) &&
               jwt.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) &&
               audiences.Count == 1 && sub is not null && sid is not null && jti is not null
            ? new AccessTokenClaims(sub, sid, jti, audiences[0], DateTimeOffset.FromUnixTimeSeconds(exp))
            : null;
    }
}
