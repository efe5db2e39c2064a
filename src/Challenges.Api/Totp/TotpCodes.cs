using System.Security.Cryptography;
using Challenges.Api.Http;
using Challenges.Api.Tokens;
using OtpNet;

namespace Challenges.Api.Totp;

/// <summary>
/// The authenticator-app crypto, in one place (RFC 6238 through Otp.NET): 160-bit secrets from a CSPRNG, shown as
/// unpadded upper-case Base32 and in an <c>otpauth://</c> URI; stored sealed (<see cref="SecretSeal"/>, bound to the
/// tenant, user and authenticator: the code must be recomputed, so a hash would not do); a code checked with one step
/// of drift either way, answering the step it matched so that a step is accepted once.
/// </summary>
public sealed class TotpCodes(SigningKeyProvider secrets)
{
    public const string Label = "challenges/totp-secret-seal/v1";
    public const int Digits = 6;
    public const int PeriodSeconds = 30;
    public const string Algorithm = "SHA1";

    /// <summary>Steps of drift accepted on each side of the current one.</summary>
    public const int Drift = 1;

    private const int SecretBytes = 20;
    private const int MinSecretBytes = 10;
    private const int MaxSecretBytes = 64;

    private readonly SecretSeal _seal = new(secrets, Label);

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>Unpadded upper-case Base32 (RFC 4648), as authenticator apps take a typed-in key.</summary>
    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    public string Seal(string tenantId, string userId, string authenticatorId, byte[] secret) =>
        _seal.Seal(Context(tenantId, userId, authenticatorId), secret);

    /// <summary>The secret, or null when it was sealed for another owner or with another server secret.</summary>
    public byte[]? Open(string tenantId, string userId, string authenticatorId, string? sealedSecret) =>
        _seal.Open(Context(tenantId, userId, authenticatorId), sealedSecret);

    private static string Context(string tenantId, string userId, string authenticatorId) => $"{tenantId}|{userId}|{authenticatorId}";

    /// <summary>The time step (RFC 6238 T) of <paramref name="at"/>.</summary>
    public static long StepOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / PeriodSeconds;

    /// <summary>When a step stops being accepted: at the end of the step after it (the drift), plus one step to spare.</summary>
    public static DateTimeOffset AcceptedUntil(long step) => DateTimeOffset.FromUnixTimeSeconds((step + Drift + 2) * PeriodSeconds);

    /// <summary>The step whose code <paramref name="code"/> is, within the drift around <paramref name="now"/>; null when none.</summary>
    public static long? Match(byte[] secret, string code, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (code is null || code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }
        var totp = new OtpNet.Totp(secret, PeriodSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(Drift, Drift)) ? step : null;
    }

    /// <summary>
    /// <c>otpauth://totp/Issuer:account?secret=…&amp;issuer=…&amp;algorithm=SHA1&amp;digits=6&amp;period=30</c>: the Key
    /// URI format Google Authenticator, Microsoft Authenticator and 1Password read from a QR code.
    /// </summary>
    public static string Uri(string issuer, string account, string base32Secret)
    {
        var label = $"{Escape(issuer)}:{Escape(account)}";
        return $"otpauth://totp/{label}?secret={base32Secret}&issuer={Escape(issuer)}&algorithm={Algorithm}&digits={Digits}&period={PeriodSeconds}";
    }

    private static string Escape(string value) => System.Uri.EscapeDataString(value);

    /// <summary>
    /// The secret of an <c>otpauth://totp/</c> URI made elsewhere (the Server API's enrolment of an app the backend has
    /// verified). Only what this server computes is accepted: SHA1, 6 digits, 30 seconds (each may be omitted), and a
    /// Base32 secret of 80 to 512 bits.
    /// </summary>
    public static Outcome<byte[]> ParseUri(string? otpUri)
    {
        if (string.IsNullOrWhiteSpace(otpUri) || !System.Uri.TryCreate(otpUri.Trim(), UriKind.Absolute, out var uri) ||
            !string.Equals(uri.Scheme, "otpauth", StringComparison.OrdinalIgnoreCase))
        {
            return ApiError.Invalid("otpUri: must be an otpauth://totp/ URI.");
        }
        if (!string.Equals(uri.Host, "totp", StringComparison.OrdinalIgnoreCase))
        {
            return ApiError.Invalid("otpUri: only otpauth://totp/ (time-based) URIs are supported.");
        }
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query);
        string? One(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;
        if (One("algorithm") is { } algorithm && !string.Equals(algorithm, Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            return ApiError.Invalid($"otpUri: algorithm must be {Algorithm}.");
        }
        if (One("digits") is { } digits && digits != Digits.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return ApiError.Invalid($"otpUri: digits must be {Digits}.");
        }
        if (One("period") is { } period && period != PeriodSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return ApiError.Invalid($"otpUri: period must be {PeriodSeconds}.");
        }
        var text = One("secret")?.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        if (string.IsNullOrEmpty(text) || !text.All(c => c is (>= 'A' and <= 'Z') or (>= '2' and <= '7')))
        {
            return ApiError.Invalid("otpUri: secret must be Base32.");
        }
        var secret = Base32Encoding.ToBytes(text);
        return secret.Length is < MinSecretBytes or > MaxSecretBytes
            ? ApiError.Invalid($"otpUri: the secret must be {MinSecretBytes * 8} to {MaxSecretBytes * 8} bits.")
            : secret;
    }

    /// <summary>True when both secrets are the same, compared in constant time.</summary>
    public static bool Same(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);
}
