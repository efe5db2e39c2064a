using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.Otp;

/// <summary>
/// The OTP crypto, in one place: codes from a CSPRNG; stored only as HMAC-SHA256 keyed by the OTP key (derived from
/// the signing secret for this purpose alone) over
/// <c>"&lt;challengeId&gt;:&lt;code&gt;"</c> (so a stored hash is useless for any other challenge); compared in constant time.
/// </summary>
public sealed class OtpCodes
{
    private const int MinDigits = 4;
    private const int MaxDigits = 9;
    private readonly byte[] _key;

    public OtpCodes(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The OTP key must be at least 32 bytes.", nameof(key));
        }
        _key = key;
    }

    /// <summary>A uniformly random code of <paramref name="digits"/> decimal digits (clamped to 4..9), leading zeros kept.</summary>
    public static string Generate(int digits)
    {
        digits = Math.Clamp(digits, MinDigits, MaxDigits);
        var upper = 1;
        for (var i = 0; i < digits; i++)
        {
            upper *= 10;
        }
        return RandomNumberGenerator.GetInt32(0, upper).ToString("D" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>What is stored for a code: standard base64 of the HMAC.</summary>
    public string Hash(string challengeId, string code) => Convert.ToBase64String(Mac(challengeId, code));

    /// <summary>
    /// True when <paramref name="code"/> is the code whose hash is <paramref name="storedHash"/>, for this challenge. The
    /// canonical base64 texts are compared (in constant time), so a stored value differing only in base64's unused
    /// padding bits, or in any other way, does not match.
    /// </summary>
    public bool Matches(string challengeId, string code, string? storedHash)
    {
        if (storedHash is null || code is null)
        {
            return false;
        }
        var actual = Encoding.ASCII.GetBytes(Hash(challengeId, code));
        return CryptographicOperations.FixedTimeEquals(actual, Encoding.ASCII.GetBytes(storedHash));
    }

    private byte[] Mac(string challengeId, string code)
    {
        ArgumentNullException.ThrowIfNull(challengeId);
        ArgumentNullException.ThrowIfNull(code);
        return HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(challengeId + ":" + code));
    }
}
