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
    /// <summary>Push: the device's APNs or FCM token; never logged. Dropped when the push service calls it dead.</summary>
    public string? PushToken { get; init; }

    /// <summary>Push: the App Attest or Play Integrity evidence the device sent when it was added (stored, not verified).</summary>
    public DeviceAttestation? Attestation { get; init; }

    /// <summary>
    /// Authenticator app: its shared secret, sealed (AES-GCM under a key from the server's secret, bound to the tenant,
    /// user and authenticator); never shown after the enrolment.
    /// </summary>
    public string? SealedSecret { get; init; }

    /// <summary>Push: when the credential expires unless it is used (answers) or renewed (<c>resetExpiry</c>) before.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>PASSKEY and SECURITY_KEY: the WebAuthn credential.</summary>
    public WebAuthnCredential? WebAuthn { get; init; }

    [JsonIgnore]
    public bool IsVerified => VerifiedAt is not null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && now >= at;
}

/// <summary>
/// A device's attestation as sent with its credential (<c>performAttestation</c>): <c>APP_ATTEST</c> (iOS, with the
/// attested key's id) or <c>PLAY_INTEGRITY</c> (Android), and the token. Kept for the tenant; not checked with Apple or
/// Google.
/// </summary>
public sealed record DeviceAttestation(string Provider, string Token, string? KeyId, DateTimeOffset ReceivedAt);
