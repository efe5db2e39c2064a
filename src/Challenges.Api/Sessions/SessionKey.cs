using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Sessions;

/// <summary>
/// One RSA key of a tenant's session key set, named by its RFC 7638 JWK thumbprint (the <c>kid</c> of the tokens it
/// signs), with its public half as a JWK for the JWKS.
/// </summary>
public sealed class SessionKey
{
    public const int MinBits = 2048;

    public SessionKey(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var n = Base64UrlEncoder.Encode(parameters.Modulus);
        var e = Base64UrlEncoder.Encode(parameters.Exponent);
        Id = Base64UrlEncoder.Encode(new JsonWebKey { Kty = JsonWebAlgorithmsKeyTypes.RSA, N = n, E = e }.ComputeJwkThumbprint());
        Jwk = new Jwk("RSA", "sig", SecurityAlgorithms.RsaSha256, Id, n, e);
        SecurityKey = new RsaSecurityKey(rsa) { KeyId = Id };
        CanSign = HasPrivatePart(rsa);
    }

    public string Id { get; }
    public Jwk Jwk { get; }
    public RsaSecurityKey SecurityKey { get; }
    public bool CanSign { get; }

    private static bool HasPrivatePart(RSA rsa)
    {
        try
        {
            rsa.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// A configured key (<c>Tenants__N__Sessions__SigningKeys__K</c>): PEM text, or the path of a PEM file; PKCS#8,
    /// PKCS#1 or (verify only) SubjectPublicKeyInfo. The problem, worded to follow the key's name, when it is not usable.
    /// </summary>
    public static (SessionKey? Key, string? Problem) FromConfiguration(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (null, "is empty: set a PEM text or the path of a PEM file.");
        }
        string pem;
        if (value.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            pem = value;
        }
        else
        {
            try
            {
                pem = File.ReadAllText(value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return (null, "is neither PEM text nor the path of a readable PEM file.");
            }
        }
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            return (null, "holds no RSA key in PEM (PKCS#8 PRIVATE KEY, RSA PRIVATE KEY or PUBLIC KEY).");
        }
        if (rsa.KeySize < MinBits)
        {
            var bits = rsa.KeySize;
            rsa.Dispose();
            return (null, $"is an RSA key of {bits} bits: at least {MinBits} are needed.");
        }
        return (new SessionKey(rsa), null);
    }
}

/// <summary>The public half of a signing key as a JWK (RFC 7517), as the JWKS serves it.</summary>
public sealed record Jwk(string Kty, string Use, string Alg, string Kid, string N, string E);
