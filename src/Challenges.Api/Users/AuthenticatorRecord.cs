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

    public bool IsVerified => VerifiedAt is not null;
}
