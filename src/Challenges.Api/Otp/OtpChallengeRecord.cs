using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenges.Api.Otp;

/// <summary>
/// An OTP challenge as stored, in its own hash slot. The code exists only as <see cref="CodeHash"/>.
/// <see cref="ExpiresAt"/> (from TimeProvider) is the truth; the key's time to live only collects it. Stored names are
/// short: a pending challenge's bytes are what Redis memory is spent on.
/// A reserved client challenge (POST /v1/client/challenge) has no method and no code.
/// </summary>
public sealed record OtpChallengeRecord
{
    [JsonPropertyName("i")]
    public required string Id { get; init; }

    /// <summary><see cref="OtpOrigins.Server"/> (Server API, passwordless) or <see cref="OtpOrigins.Client"/> (a client token's action).</summary>
    [JsonPropertyName("o")]
    public required string Origin { get; init; }

    [JsonPropertyName("m")]
    public string? VerificationMethod { get; init; }
    [JsonPropertyName("sc")]
    public string? SmsChannel { get; init; }
    [JsonPropertyName("p")]
    public string? PhoneNumber { get; init; }
    [JsonPropertyName("e")]
    public string? Email { get; init; }
    [JsonPropertyName("h")]
    public string? CodeHash { get; init; }
    [JsonPropertyName("c")]
    public required DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("x")]
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Wrong codes so far; counted by compare-and-set, so concurrent guesses are each counted once.</summary>
    [JsonPropertyName("a")]
    public int Attempts { get; init; }
    [JsonPropertyName("ma")]
    public required int MaxAttempts { get; init; }
    [JsonPropertyName("v")]
    public DateTimeOffset? VerifiedAt { get; init; }
    [JsonPropertyName("cl")]
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>Null for a passwordless challenge until it is claimed.</summary>
    [JsonPropertyName("u")]
    public string? UserId { get; init; }
    [JsonPropertyName("ac")]
    public required string ActionCode { get; init; }
    [JsonPropertyName("k")]
    public required string IdempotencyKey { get; init; }

    /// <summary>Client challenges: the authenticator the code was sent to.</summary>
    [JsonPropertyName("ai")]
    public string? AuthenticatorId { get; init; }

    /// <summary>True when verifying completes an enrolment (the reply then carries <c>userAuthenticator</c>).</summary>
    [JsonPropertyName("en")]
    public bool Enrolment { get; init; }

    [JsonPropertyName("s")]
    public string? Scope { get; init; }
    [JsonPropertyName("l")]
    public string? Locale { get; init; }
    [JsonPropertyName("ip")]
    public string? IpAddress { get; init; }
    [JsonPropertyName("ua")]
    public string? UserAgent { get; init; }
    [JsonPropertyName("d")]
    public string? DeviceId { get; init; }
    [JsonPropertyName("cu")]
    public JsonElement? Custom { get; init; }

    [JsonIgnore]
    public bool IsDead => Attempts >= MaxAttempts;

    [JsonIgnore]
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
