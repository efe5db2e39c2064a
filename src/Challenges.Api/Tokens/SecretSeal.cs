using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Challenges.Api.Tokens;

/// <summary>
/// A secret the store keeps but must not give away: AES-256-GCM under a key derived from the server's secret
/// (<c>Tokens__SigningKey</c>, HKDF with the seal's own <see cref="Label"/>) and bound to what it belongs to (the
/// additional data: the label and a context such as the tenant, or the tenant, user and authenticator), so a copy of
/// the store alone cannot read it, and a sealed value moved to another owner does not open. Session signing keys and
/// authenticator-app secrets are sealed this way, each under a label of its own.
/// </summary>
public sealed class SecretSeal
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    public SecretSeal(SigningKeyProvider secrets, string label)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(label);
        Label = label;
        // Derived from the client-token key (itself HKDF output of the secret) since the provider keeps no raw secret.
        _key = SigningKeyProvider.Derive(secrets.TokenKey, label);
    }

    public string Label { get; }

    private sealed record Sealed(int Version, string Nonce, string Data);

    /// <summary>The sealed text of <paramref name="plain"/> for <paramref name="context"/>.</summary>
    public string Seal(string context, ReadOnlySpan<byte> plain)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var data = new byte[plain.Length + TagBytes];
        using (var aes = new AesGcm(_key, TagBytes))
        {
            aes.Encrypt(nonce, plain, data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), Aad(context));
        }
        return JsonSerializer.Serialize(new Sealed(1, Convert.ToBase64String(nonce), Convert.ToBase64String(data)));
    }

    /// <summary>The secret, or null when the text was sealed with another server secret, for another context, or is damaged.</summary>
    public byte[]? Open(string context, string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        try
        {
            var box = JsonSerializer.Deserialize<Sealed>(stored);
            if (box is not { Version: 1 } || box.Nonce is null || box.Data is null)
            {
                return null;
            }
            var nonce = Convert.FromBase64String(box.Nonce);
            var data = Convert.FromBase64String(box.Data);
            if (nonce.Length != NonceBytes || data.Length < TagBytes)
            {
                return null;
            }
            var plain = new byte[data.Length - TagBytes];
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(nonce, data.AsSpan(0, plain.Length), data.AsSpan(plain.Length), plain, Aad(context));
            return plain;
        }
        catch (Exception e) when (e is JsonException or FormatException or CryptographicException or NotSupportedException)
        {
            return null;
        }
    }

    private byte[] Aad(string context) => Encoding.UTF8.GetBytes($"{Label}|{context}");
}
