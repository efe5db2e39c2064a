using System.Text.Json.Serialization;

namespace Challenges.Api.Passkeys;

/// <summary>
/// A WebAuthn challenge as stored: the random bytes an options reply carried, what the ceremony must meet, and whom it
/// is for. Single use: the verify that answers it marks it used, whatever the verdict. Short stored names, as for OTPs.
/// </summary>
public sealed record PasskeyChallengeRecord
{
    [JsonPropertyName("i")]
    public required string Id { get; init; }

    /// <summary>PASSKEY or SECURITY_KEY.</summary>
    [JsonPropertyName("m")]
    public required string Method { get; init; }

    /// <summary><see cref="Ceremonies.Create"/> (registration) or <see cref="Ceremonies.Get"/> (authentication).</summary>
    [JsonPropertyName("ce")]
    public required string Ceremony { get; init; }

    /// <summary>The challenge bytes, base64url.</summary>
    [JsonPropertyName("ch")]
    public required string Challenge { get; init; }

    /// <summary>The token's user for a client-token ceremony; null for a sign-in with tenant Basic (the credential names the user).</summary>
    [JsonPropertyName("u")]
    public string? UserId { get; init; }

    [JsonPropertyName("ac")]
    public required string ActionCode { get; init; }

    [JsonPropertyName("k")]
    public required string IdempotencyKey { get; init; }

    /// <summary>Registration: the <c>user.id</c> the options carried, base64url.</summary>
    [JsonPropertyName("uh")]
    public string? UserHandle { get; init; }

    [JsonPropertyName("un")]
    public string? Username { get; init; }

    [JsonPropertyName("dn")]
    public string? DisplayName { get; init; }

    /// <summary>Whether the authenticator must verify the user (UV flag).</summary>
    [JsonPropertyName("uv")]
    public bool UserVerificationRequired { get; init; }

    [JsonPropertyName("c")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("x")]
    public required DateTimeOffset ExpiresAt { get; init; }

    [JsonPropertyName("us")]
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>Open for its verify: not used and not expired.</summary>
    public bool IsOpen(DateTimeOffset now) => UsedAt is null && now < ExpiresAt;
}

/// <summary>The two WebAuthn ceremonies.</summary>
public static class Ceremonies
{
    public const string Create = "create";
    public const string Get = "get";
}
