using System.Text.Json;
using Challenges.Api.Users;

namespace Challenges.Api.Sessions;

/// <summary>Create and refresh answer: a new access token (RS256 JWT) and refresh token (opaque).</summary>
public sealed record SessionTokensResponse(string AccessToken, string RefreshToken);

/// <summary>Validate answer: the user as stored now, the access token's expiry (Unix seconds), the session's method.</summary>
public sealed record ValidateSessionResponse(SessionUser User, long ExpiresAt, string? VerificationMethod);

/// <summary>The user of a validated session.</summary>
public sealed record SessionUser(string UserId, string? Email, string? PhoneNumber, string? Username, string? DisplayName, JsonElement? Custom)
{
    public static SessionUser From(string userId, UserRecord user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(userId, user.Email, user.PhoneNumber, user.Username, user.DisplayName, user.Custom);
    }
}

/// <summary>A tenant's JWK Set (RFC 7517): the public halves of its session keys.</summary>
public sealed record JwksResponse(IReadOnlyList<Jwk> Keys);
