using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Http;

namespace Challenges.Api.Push;

/// <summary>
/// The device credential's cryptography (docs/contract.md §3.3), BCL only: EC P-256 public keys as SPKI in standard
/// base64, ECDSA SHA-256 signatures in ASN.1 DER over UTF-8 messages, the double-base64 query form of a key, and the
/// ten-minute time-window message that signs a removal.
/// </summary>
public static class DeviceCrypto
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const int CachedKeys = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Imported keys. Importing and checking a key costs about twice a verification, and every device request needs
    /// its key: a device's next request finds it here.
    /// </summary>
    private static readonly DeviceKeyCache Keys = new(CachedKeys);

    /// <summary>The imported P-256 key of canonical SPKI text <paramref name="canonical"/> (DER <paramref name="der"/>), or null.</summary>
    private static ECDsa? Import(string canonical, byte[] der)
    {
        if (Keys.Find(canonical) is { } cached)
        {
            return cached;
        }
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length || key.ExportParameters(false).Curve.Oid?.Value != P256Oid)
            {
                key.Dispose();
                return null;
            }
        }
        catch (CryptographicException)
        {
            key.Dispose();
            return null;
        }
        return Keys.Add(canonical, key);
    }

    /// <summary>
    /// The canonical text of an EC P-256 SPKI key (standard base64 of its DER), or null for anything else: not
    /// base64, not SPKI, another curve, trailing bytes.
    /// </summary>
    public static string? NormalizePublicKey(string? spkiBase64)
    {
        if (string.IsNullOrWhiteSpace(spkiBase64) || spkiBase64.Length > 1024)
        {
            return null;
        }
        var der = Base64Lenient.Decode(spkiBase64.Trim());
        if (der is null || der.Length > 512)
        {
            return null;
        }
        var canonical = Convert.ToBase64String(der);
        return Import(canonical, der) is null ? null : canonical;
    }

    /// <summary>
    /// A key as it travels in a query string: the SPKI-base64 text base64-encoded again (iOS unpadded base64url,
    /// Android padded standard base64, a <c>+</c> arriving as a space). The plain SPKI text is accepted too.
    /// Returns the canonical key, or null.
    /// </summary>
    public static string? DecodeQueryKey(string? query)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > 2048)
        {
            return null;
        }
        var outer = Base64Lenient.Decode(query.Trim());
        if (outer is not null)
        {
            try
            {
                var inner = new UTF8Encoding(false, true).GetString(outer);
                if (NormalizePublicKey(inner) is { } key)
                {
                    return key;
                }
            }
            catch (DecoderFallbackException)
            {
                // Not text: it may be the plain SPKI base64 below.
            }
        }
        return NormalizePublicKey(query);
    }

    /// <summary>The double-base64 query form the Android SDK sends (padded standard base64 of the key text).</summary>
    public static string EncodeQueryKey(string publicKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(publicKey));

    /// <summary>True when <paramref name="signatureBase64"/> is a DER ECDSA SHA-256 signature of the UTF-8 message by the key.</summary>
    public static bool Verify(string publicKey, string message, string? signatureBase64)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(signatureBase64) || signatureBase64.Length > 512)
        {
            return false;
        }
        var der = Base64Lenient.Decode(signatureBase64.Trim());
        var spki = Base64Lenient.Decode(publicKey);
        if (der is null || spki is null)
        {
            return false;
        }
        var data = Encoding.UTF8.GetBytes(message);
        // A key evicted from the cache between its lookup and its use is disposed: import it again, once.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (Import(Convert.ToBase64String(spki), spki) is not { } key)
            {
                return false;
            }
            try
            {
                if (DeviceKeyCache.Verify(key, k => k.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)) is { } verified)
                {
                    return verified;
                }
            }
            catch (CryptographicException)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>The time-window message: <c>floor(unixSeconds / 600)</c> written with <c>.0</c>, e.g. <c>2992187.0</c>.</summary>
    public static string TimeWindowMessage(DateTimeOffset at) =>
        (at.ToUnixTimeSeconds() / (long)Window.TotalSeconds).ToString(CultureInfo.InvariantCulture) + ".0";

    /// <summary>True when the signature covers the current window's message or the previous one's, and no other.</summary>
    public static bool VerifyTimeWindow(string publicKey, string? signatureBase64, DateTimeOffset now) =>
        Verify(publicKey, TimeWindowMessage(now), signatureBase64) || Verify(publicKey, TimeWindowMessage(now - Window), signatureBase64);
}
