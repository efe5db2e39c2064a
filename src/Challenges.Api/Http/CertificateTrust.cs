using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Challenges.Api.Http;

/// <summary>
/// Trust for a TLS service (Redis, SMTP) whose certificate is issued by a private CA: the operator names a PEM file of
/// CA certificates (<c>Redis__CaCertificate</c>, <c>Smtp__CaCertificate</c>) and a server certificate that chains to one
/// of them is accepted besides those the system trusts. The host name is checked either way.
/// </summary>
public static class CertificateTrust
{
    /// <summary>A validation callback trusting the CAs in <paramref name="pemPath"/>; null when no path is set (system trust only).</summary>
    public static RemoteCertificateValidationCallback? FromPemFile(string? pemPath)
    {
        if (string.IsNullOrWhiteSpace(pemPath))
        {
            return null;
        }
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(pemPath);
        return (_, certificate, _, errors) => Validate(authorities, certificate, errors);
    }

    /// <summary>Why <paramref name="pemPath"/> cannot serve as a CA file, or null when it can.</summary>
    public static string? Problem(string pemPath)
    {
        try
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(pemPath);
            return authorities.Count == 0 ? "holds no PEM certificate" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"cannot be read ({e.GetType().Name})";
        }
    }

    private static bool Validate(X509Certificate2Collection authorities, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        // Only an unknown issuer can be mended by the operator's CA: a wrong host name or a missing certificate cannot.
        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // Private CAs rarely publish revocation lists; the operator vouches for this file.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }
}
