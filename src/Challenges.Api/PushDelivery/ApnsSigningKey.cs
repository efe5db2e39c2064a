using System.Security.Cryptography;

namespace Challenges.Api.PushDelivery;

/// <summary>An APNs token-authentication key: the EC P-256 private key of the <c>.p8</c> file Apple hands out once.</summary>
public static class ApnsSigningKey
{
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>The key from PEM text or a file path; null with a <paramref name="problem"/> when it is not such a key.</summary>
    public static ECDsa? Load(string setting, out string? problem)
    {
        var pem = CredentialSetting.Read(setting, "-----BEGIN", out problem);
        if (pem is null)
        {
            return null;
        }
        var key = ECDsa.Create();
        try
        {
            // A PEM pasted into one environment variable often arrives with literal "\n" for its line breaks.
            key.ImportFromPem(pem.Replace("\\n", "\n", StringComparison.Ordinal));
            if (key.ExportParameters(false).Curve.Oid.Value != P256)
            {
                problem = "is not a P-256 key (APNs keys are ES256)";
            }
            else
            {
                // Proves there is a private key, not only a public one.
                key.SignData([0], HashAlgorithmName.SHA256);
                return key;
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            problem = "holds no unencrypted EC private key in PEM form (the .p8 file from Apple)";
        }
        key.Dispose();
        return null;
    }
}
