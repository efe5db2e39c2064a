using System.Text.Json.Serialization;

namespace Challenges.Api.Users;

/// <summary>One of a user's authenticators as stored. Push credentials carry their device fields.</summary>
public sealed record AuthenticatorRecord
{
    public required string Id { get; init; }
    public required string VerificationMethod { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DateTimeOffset? LastVerifiedAt { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Email { get; init; }
    public string? DisplayName { get; init; }
    public bool IsDefault { get; init; }

    /// <summary>Push: SPKI public key, standard base64, stored verbatim.</summary>
    public string? PublicKey { get; init; }
    public string? DevicePlatform { get; init; }
    public string? PushToken { get; init; }

    /// <summary>Push: when the credential expires unless it is used (answers) or renewed (<c>resetExpiry</c>) before.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>PASSKEY and SECURITY_KEY: the WebAuthn credential.</summary>
    public WebAuthnCredential? WebAuthn { get; init; }

    [JsonIgnore]
    public bool IsVerified => VerifiedAt is not null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && now >= at;
}
