using System.Text;
using Challenges.Api.Http;

namespace Challenges.Api.Tenants;

/// <summary>
/// Decodes the three Basic spellings of docs/contract.md §1.2 leniently: either base64 alphabet, padding optional, one
/// trailing <c>:</c> dropped, then percent-decoded. Returns null for anything that is not Basic or not decodable.
/// </summary>
public static class BasicCredentials
{
    /// <summary>UTF-8 that refuses invalid bytes instead of replacing them.</summary>
    private static readonly UTF8Encoding Strict = new(false, true);

    public static string? Decode(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var bytes = Base64Lenient.Decode(authorization.AsSpan(6).Trim());
        if (bytes is null)
        {
            return null;
        }
        string text;
        try
        {
            text = Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        if (text.EndsWith(':'))
        {
            text = text[..^1];
        }
        try
        {
            text = Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return null;
        }
        return text.Length == 0 ? null : text;
    }
}
