using System.Security.Cryptography;
using Challenges.Api.Tokens;

namespace Challenges.Api.Sessions;

/// <summary>
/// A generated session signing key as the store keeps it: the PKCS#8 private key sealed (<see cref="SecretSeal"/>, a
/// label of its own) and bound to its tenant, so a copy of the store alone cannot sign access tokens, nor can one
/// tenant's stored key be moved to another.
/// </summary>
public sealed class SigningKeySeal(SigningKeyProvider secrets)
{
    public const string Label = "challenges/session-signing-key-seal/v1";

    private readonly SecretSeal _seal = new(secrets, Label);

    public string Seal(string tenantId, RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var plain = rsa.ExportPkcs8PrivateKey();
        try
        {
            return _seal.Seal(tenantId, plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The key, or null when the text was sealed with another secret, for another tenant, or is damaged.</summary>
    public RSA? Open(string tenantId, string stored)
    {
        if (_seal.Open(tenantId, stored) is not { } plain)
        {
            return null;
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(plain, out _);
            return rsa;
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
