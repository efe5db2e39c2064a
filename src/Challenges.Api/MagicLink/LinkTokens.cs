using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Challenges.Api.MagicLink;

/// <summary>
/// The token of a magic link: <c>base64url(tenantId).challengeId.secret</c>, the secret 256 random bits. The tenant and
/// the challenge id only find the challenge (the id names the user's slot); the secret proves the link, and only its
/// SHA-256 is stored, so a read of the store gives nobody a usable link. Any change to any part finds nothing or fails
/// the hash.
/// </summary>
public static class LinkTokens
{
    /// <summary>Longer than any token this server makes; anything longer is not looked at.</summary>
    private const int MaxLength = 512;

    public static (string Token, string Hash) New(string tenantId, string challengeId)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var token = $"{WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(tenantId))}.{challengeId}.{secret}";
        return (token, Hash(secret));
    }

    public static string Hash(string secret) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The parts of a token, or null when it is not one.</summary>
    public static (string TenantId, string ChallengeId, string Secret)? Parse(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return null;
        }
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(string.IsNullOrEmpty))
        {
            return null;
        }
        try
        {
            return (Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0])), parts[1], parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The secret matches the stored hash (in constant time).</summary>
    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
