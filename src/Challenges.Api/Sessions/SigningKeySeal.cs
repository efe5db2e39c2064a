using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tokens;

namespace Challenges.Api.Sessions;

/// <summary>
/// A generated session signing key as the store keeps it: the PKCS#8 private key under AES-256-GCM, keyed from the
/// server's secret (<c>Tokens__SigningKey</c>, HKDF with a label of its own) and bound to its tenant, so a copy of the
/// store alone cannot sign access tokens, nor can one tenant's stored key be moved to another.
/// </summary>
public sealed class SigningKeySeal(SigningKeyProvider secrets)
{
    public const string Label = "challenges/session-signing-key-seal/v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    // Derived from the client-token key (itself HKDF output of the secret) since the provider keeps no raw secret.
    private readonly byte[] _key = SigningKeyProvider.Derive(secrets?.TokenKey ?? throw new ArgumentNullException(nameof(secrets)), Label);

    private sealed record Sealed(int Version, string Nonce, string Data);

    public string Seal(string tenantId, RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var plain = rsa.ExportPkcs8PrivateKey();
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var data = new byte[plain.Length + TagBytes];
        using (var aes = new AesGcm(_key, TagBytes))
        {
            aes.Encrypt(nonce, plain, data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), Aad(tenantId));
        }
        CryptographicOperations.ZeroMemory(plain);
        return JsonSerializer.Serialize(new Sealed(1, Convert.ToBase64String(nonce), Convert.ToBase64String(data)));
    }

    /// <summary>The key, or null when the text was sealed with another secret, for another tenant, or is damaged.</summary>
    public RSA? Open(string tenantId, string stored)
    {
        try
        {
            var box = JsonSerializer.Deserialize<Sealed>(stored);
            if (box is not { Version: 1 })
            {
                return null;
            }
            var nonce = Convert.FromBase64String(box.Nonce);
            var data = Convert.FromBase64String(box.Data);
            if (nonce.Length != NonceBytes || data.Length <= TagBytes)
            {
                return null;
            }
            var plain = new byte[data.Length - TagBytes];
            using (var aes = new AesGcm(_key, TagBytes))
            {
                aes.Decrypt(nonce, data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), plain, Aad(tenantId));
            }
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(plain, out _);
            CryptographicOperations.ZeroMemory(plain);
            return rsa;
        }
        catch (Exception e) when (e is JsonException or FormatException or CryptographicException or NotSupportedException)
        {
            return null;
        }
    }

    private static byte[] Aad(string tenantId) => Encoding.UTF8.GetBytes($"{Label}|{tenantId}");
}
