using System.Security.Cryptography;
using System.Text;

namespace Challenges.Benchmarks.Load;

/// <summary>A mobile device's P-256 key as the SDKs use it (docs/contract.md §3.3).</summary>
internal sealed class DeviceKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DeviceKey()
    {
        PublicKey = Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo());
        // In a query string the SPKI base64 travels base64-encoded again; Android's padded standard form.
        QueryValue = Convert.ToBase64String(Encoding.UTF8.GetBytes(PublicKey));
    }

    /// <summary>SubjectPublicKeyInfo DER, standard base64.</summary>
    public string PublicKey { get; }

    public string QueryValue { get; }

    /// <summary>ECDSA over SHA-256 of the UTF-8 message, DER encoded, standard base64.</summary>
    public string Sign(string message) => Convert.ToBase64String(
        _key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => _key.Dispose();
}
