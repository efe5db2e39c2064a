using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.Sessions;

/// <summary>Refresh tokens: 256 random bits in lower-case hex, opaque to callers, stored only as their SHA-256.</summary>
public static class RefreshTokens
{
    public const int MaxLength = 512;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The token's SHA-256 in hex: a high-entropy secret needs no salt or stretching.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
