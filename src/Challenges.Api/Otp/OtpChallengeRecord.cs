using System.Text.Json;

namespace Challenges.Api.Otp;

/// <summary>
/// An OTP challenge as stored, in its own hash slot. The code exists only as <see cref="CodeHash"/>.
/// <see cref="ExpiresAt"/> (from TimeProvider) is the truth; the key's time to live only collects it.
/// A reserved client challenge (POST /v1/client/challenge) has no method and no code.
/// </summary>
public sealed record OtpChallengeRecord
{
    public required string Id { get; init; }

    /// <summary><see cref="OtpOrigins.Server"/> (Server API, passwordless) or <see cref="OtpOrigins.Client"/> (a client token's action).</summary>
    public required string Origin { get; init; }

    public string? VerificationMethod { get; init; }
    public string? SmsChannel { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Email { get; init; }
    public string? CodeHash { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Wrong codes so far; counted by compare-and-set, so concurrent guesses are each counted once.</summary>
    public int Attempts { get; init; }
    public required int MaxAttempts { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>Null for a passwordless challenge until it is claimed.</summary>
    public string? UserId { get; init; }
    public required string ActionCode { get; init; }
    public required string IdempotencyKey { get; init; }

    /// <summary>Client challenges: the authenticator the code was sent to.</summary>
    public string? AuthenticatorId { get; init; }

    /// <summary>True when verifying completes an enrolment (the reply then carries <c>userAuthenticator</c>).</summary>
    public bool Enrolment { get; init; }

    public string? Scope { get; init; }
    public string? Locale { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? DeviceId { get; init; }
    public JsonElement? Custom { get; init; }

    public bool IsDead => Attempts >= MaxAttempts;

    public string? Destination => PhoneNumber ?? Email;

    /// <summary>Waiting for its code: not used, not dead, not expired, not claimed.</summary>
    public bool IsPending(DateTimeOffset now) =>
        VerifiedAt is null && ClaimedAt is null && !IsDead && now < ExpiresAt;
}

public static class OtpOrigins
{
    public const string Server = "server";
    public const string Client = "client";
}
