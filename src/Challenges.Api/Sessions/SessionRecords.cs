using System.Text.Json.Serialization;

namespace Challenges.Api.Sessions;

/// <summary>A session as stored, in its user's hash slot; it lives until <see cref="ExpiresAt"/> or its revocation.</summary>
public sealed record SessionRecord
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string ClientId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The session's end: creation plus the client's refresh token lifetime; refreshing never moves it.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>How many times the session was refreshed; the current refresh token was issued at this generation.</summary>
    public long Generation { get; init; }

    /// <summary>SHA-256 (hex) of the current refresh token; the token itself is never stored.</summary>
    public required string RefreshTokenHash { get; init; }

    /// <summary>The <c>jti</c> of the current access token: a refresh retires the one before it.</summary>
    public required string AccessTokenId { get; init; }

    /// <summary>The method of the challenge the session was created from.</summary>
    public string? VerificationMethod { get; init; }

    /// <summary>The user's generation at creation: deleting the user ends the session.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long UserGeneration { get; init; }
}

/// <summary>One row of a user's session list: enough to cap, evict and revoke without reading the sessions.</summary>
public sealed record SessionEntry(string Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Where a refresh token points, stored under the token's hash: its session and the generation it was issued at.</summary>
public sealed record RefreshLocator(string UserId, string SessionId, long Generation);
