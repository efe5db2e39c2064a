using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Totp;

/// <summary>
/// The tests' own authenticator app: RFC 6238 written here from the RFC (HMAC-SHA1, dynamic truncation), not the
/// server's code, checked against the RFC's test vectors in <see cref="TotpCodesTests"/>.
/// </summary>
internal static class TotpKit
{
    public static string Code(byte[] secret, DateTimeOffset at, int digits = 6, int period = 30)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, at.ToUnixTimeSeconds() / period);
#pragma warning disable CA5350 // RFC 6238 authenticator apps use HMAC-SHA1; HMAC-SHA1 is not broken as a MAC.
        var mac = HMACSHA1.HashData(secret, counter);
#pragma warning restore CA5350
        var offset = mac[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac.AsSpan(offset)) & 0x7fffffff;
        return (binary % (int)Math.Pow(10, digits)).ToString(new string('0', digits), CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 Base32 decoding, as an authenticator app reads a typed-in key.</summary>
    public static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }

    public static string ToBase32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new System.Text.StringBuilder();
        int bits = 0, value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(value >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            text.Append(alphabet[(value << (5 - bits)) & 31]);
        }
        return text.ToString();
    }

    /// <summary>The secret of an <c>otpauth://</c> URI, read the way an authenticator app reads the QR code.</summary>
    public static byte[] SecretOf(string otpauthUri)
    {
        var query = new Uri(otpauthUri).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return FromBase32(query["secret"]);
    }

    /// <summary>Enrols an authenticator app with the token and returns the enrolment reply and the secret from its URI.</summary>
    public static async Task<(JsonElement Enrolled, byte[] Secret)> EnrolAsync(HttpClient client)
    {
        var enrolled = await client.PostAsync("/v1/client/user-authenticators/totp", null).Ok();
        return (enrolled, SecretOf(enrolled.Str("uri")));
    }

    /// <summary>A user with a verified authenticator app whose secret the backend enrolled with <c>otpUri</c>.</summary>
    public static async Task<byte[]> EnrolVerifiedAsync(HttpClient server, string userId)
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        await server.PostJson($"/v1/users/{userId}/authenticators",
            new { verificationMethod = "AUTHENTICATOR_APP", otpUri = $"otpauth://totp/Example:{userId}?secret={ToBase32(secret)}&issuer=Example" }).Ok();
        return secret;
    }

    public static Task<JsonElement> VerifyAsync(HttpClient client, string code) =>
        client.PostJson("/v1/client/verify/totp", new { verificationCode = code }).Ok();

    /// <summary>A code that is none of the codes accepted around <paramref name="now"/>.</summary>
    public static string WrongCode(byte[] secret, DateTimeOffset now)
    {
        var accepted = new[] { -30, 0, 30 }.Select(s => Code(secret, now.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), 6)).First(c => !accepted.Contains(c));
    }
}
