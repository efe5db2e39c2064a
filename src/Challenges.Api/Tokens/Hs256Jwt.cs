using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Api.Tokens;

/// <summary>
/// The compact form of a JWT signed with HS256 and nothing else (RFC 7515, RFC 7519; docs/contract.md 1.3):
/// <c>header.payload.signature</c>, each segment base64url without padding. Reading is strict: at most
/// <see cref="MaxLength"/> characters, exactly three segments of the base64url alphabet, a header that says
/// <c>alg</c> HS256 and <c>typ</c> JWT (a <c>kid</c> is allowed, nothing else), and an HMAC-SHA256 signature compared in
/// constant time before the payload is decoded.
/// </summary>
public static class Hs256Jwt
{
    /// <summary>A token longer than this is refused unread.</summary>
    public const int MaxLength = 8192;

    /// <summary>The base64url length of an HMAC-SHA256 (32 bytes, no padding).</summary>
    private const int SignatureLength = 43;

    /// <summary>The header of every token this server issues.</summary>
    private static readonly byte[] IssuedHeader = Encoding.ASCII.GetBytes(
        Base64Url.EncodeToString("""{"alg":"HS256","kid":"challenges","typ":"JWT"}"""u8));

    /// <summary>Signs <paramref name="payload"/> (the claims as UTF-8 JSON) with <paramref name="key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, ReadOnlySpan<byte> payload)
    {
        var signedLength = IssuedHeader.Length + 1 + Base64Url.GetEncodedLength(payload.Length);
        var length = signedLength + 1 + SignatureLength;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var token = rented.AsSpan(0, length);
            IssuedHeader.CopyTo(token);
            token[IssuedHeader.Length] = (byte)'.';
            Base64Url.EncodeToUtf8(payload, token[(IssuedHeader.Length + 1)..signedLength]);
            token[signedLength] = (byte)'.';
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, token[..signedLength], mac);
            Base64Url.EncodeToUtf8(mac, token[(signedLength + 1)..]);
            return Encoding.ASCII.GetString(token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The decoded payload of <paramref name="token"/> when its form, header and signature are right; otherwise null.
    /// Nothing of the payload is read before the signature has been checked.
    /// </summary>
    public static byte[]? Verify(ReadOnlySpan<byte> key, string? token)
    {
        if (!TrySplit(token, out var header, out var payload) || !IsHs256Header(token.AsSpan(header)))
        {
            return null;
        }
        var signedLength = payload.End.Value;
        if (token!.Length - signedLength - 1 != SignatureLength)
        {
            return null;
        }
        Span<byte> ascii = stackalloc byte[MaxLength];
        ascii = ascii[..token.Length];
        // TrySplit has checked that every character is ASCII (the base64url alphabet and two dots).
        Encoding.ASCII.GetBytes(token, ascii);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, ascii[..signedLength], mac);
        Span<byte> expected = stackalloc byte[SignatureLength];
        Base64Url.EncodeToUtf8(mac, expected);
        return CryptographicOperations.FixedTimeEquals(expected, ascii[(signedLength + 1)..])
            ? Decode(token.AsSpan(payload))
            : null;
    }

    /// <summary>The decoded payload of <paramref name="token"/> without any check of its header or signature.</summary>
    public static byte[]? UnverifiedPayload(string? token) =>
        TrySplit(token, out _, out var payload) ? Decode(token.AsSpan(payload)) : null;

    /// <summary>Three non-empty segments of the base64url alphabet (the signature may be empty here), within the length limit.</summary>
    private static bool TrySplit(string? token, out Range header, out Range payload)
    {
        header = default;
        payload = default;
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return false;
        }
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 ||
            token.AsSpan(0, first).ContainsAnyExcept(Alphabet) ||
            token.AsSpan(first + 1, second - first - 1).ContainsAnyExcept(Alphabet) ||
            token.AsSpan(second + 1).ContainsAnyExcept(Alphabet))
        {
            return false;
        }
        header = ..first;
        payload = (first + 1)..second;
        return true;
    }

    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static byte[]? Decode(ReadOnlySpan<char> segment)
    {
        if (segment.Length % 4 == 1)
        {
            return null;
        }
        var bytes = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        var status = Base64Url.DecodeFromChars(segment, bytes, out _, out var written);
        return status != OperationStatus.Done ? null : written == bytes.Length ? bytes : bytes[..written];
    }

    /// <summary>
    /// The header names HS256 and JWT: this server's own header byte for byte, or any JSON object with <c>alg</c>
    /// <c>HS256</c>, <c>typ</c> <c>JWT</c> and optionally a <c>kid</c>, each once and nothing else (no <c>crit</c>, no
    /// <c>jku</c>, no key of its own).
    /// </summary>
    private static bool IsHs256Header(ReadOnlySpan<char> segment)
    {
        if (segment.Length == IssuedHeader.Length && Ascii.Equals(segment, IssuedHeader))
        {
            return true;
        }
        if (Decode(segment) is not { } json)
        {
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            bool alg = false, typ = false, kid = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ref var seen = ref alg;
                string expected;
                if (reader.ValueTextEquals("alg"u8))
                {
                    expected = "HS256";
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    seen = ref typ;
                    expected = "JWT";
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    seen = ref kid;
                    expected = "";
                }
                else
                {
                    return false;
                }
                if (seen || !reader.Read() || reader.TokenType != JsonTokenType.String ||
                    (expected.Length > 0 && !reader.ValueTextEquals(expected)))
                {
                    return false;
                }
                seen = true;
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && alg && typ;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
