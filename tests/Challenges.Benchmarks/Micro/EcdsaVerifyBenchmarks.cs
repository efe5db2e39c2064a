using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Challenges.Benchmarks.Micro;

/// <summary>
/// The floor for the device-answer endpoint: a bare P-256 <c>VerifyData</c> of a DER signature over a challenge id
/// (the budget: the endpoint reaches ≥ 70% of this rate on one core), and the same with the SPKI import a request
/// pays when the key is not cached. The server's own device-signature check belongs in a class of its own beside
/// this one, compared with <see cref="VerifyOnly"/>.
/// </summary>
public class EcdsaVerifyBenchmarks : IDisposable
{
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private ECDsa _verifier = null!;
    private byte[] _spki = [];
    private byte[] _message = [];
    private byte[] _signature = [];

    /// <summary>The SPKI DER, message and DER signature a device answer carries, for benchmarks of the server's code.</summary>
    public (string PublicKey, string Message, string Signature) Sample =>
        (Convert.ToBase64String(_spki), Encoding.UTF8.GetString(_message), Convert.ToBase64String(_signature));

    [GlobalSetup]
    public void Setup()
    {
        _spki = _signer.ExportSubjectPublicKeyInfo();
        _message = Encoding.UTF8.GetBytes("0f8fad5b-d9cb-469f-a165-70867728950e");
        _signature = _signer.SignData(_message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        _verifier = ECDsa.Create();
        _verifier.ImportSubjectPublicKeyInfo(_spki, out _);
    }

    [Benchmark(Baseline = true)]
    public bool VerifyOnly() => _verifier.VerifyData(_message, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    [Benchmark]
    public bool ImportAndVerify()
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_spki, out _);
        return key.VerifyData(_message, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier?.Dispose();
        GC.SuppressFinalize(this);
    }
}
