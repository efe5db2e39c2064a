using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Challenges.Api.Push;

namespace Challenges.Benchmarks.Micro;

/// <summary>
/// The server's device-signature check (SPKI base64 in, DER base64 signature, as a device answer carries them) against
/// a bare <c>VerifyData</c> with an already imported key: the budget is ≥ 70% of the bare rate.
/// </summary>
public class DeviceSignatureBenchmarks : IDisposable
{
    private readonly ECDsa _signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private ECDsa _verifier = null!;
    private string _publicKey = "";
    private string _message = "";
    private string _signature = "";
    private byte[] _messageBytes = [];
    private byte[] _signatureBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _publicKey = Convert.ToBase64String(_signer.ExportSubjectPublicKeyInfo());
        _message = "0f8fad5b-d9cb-469f-a165-70867728950e";
        _messageBytes = Encoding.UTF8.GetBytes(_message);
        _signatureBytes = _signer.SignData(_messageBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        _signature = Convert.ToBase64String(_signatureBytes);
        _verifier = ECDsa.Create();
        _verifier.ImportSubjectPublicKeyInfo(_signer.ExportSubjectPublicKeyInfo(), out _);
    }

    [Benchmark(Baseline = true)]
    public bool BareVerifyData() =>
        _verifier.VerifyData(_messageBytes, _signatureBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    [Benchmark]
    public bool DeviceCryptoVerify() => DeviceCrypto.Verify(_publicKey, _message, _signature);

    public void Dispose()
    {
        _signer.Dispose();
        _verifier?.Dispose();
        GC.SuppressFinalize(this);
    }
}
