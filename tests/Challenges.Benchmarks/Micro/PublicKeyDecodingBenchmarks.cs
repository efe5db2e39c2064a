using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Challenges.Api.Push;
using Challenges.Api.Users;

namespace Challenges.Benchmarks.Micro;

/// <summary>Public-key handling on every device request: validating the SPKI text and decoding the query forms.</summary>
public class PublicKeyDecodingBenchmarks
{
    private string _spki = "";
    private string _android = "";
    private string _ios = "";

    [GlobalSetup]
    public void Setup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _spki = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        _android = DeviceCrypto.EncodeQueryKey(_spki);
        _ios = _android.TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Benchmark]
    public string? NormalizeSpki() => DeviceCrypto.NormalizePublicKey(_spki);

    [Benchmark]
    public string? DecodeAndroidQuery() => DeviceCrypto.DecodeQueryKey(_android);

    [Benchmark]
    public string? DecodeIosQuery() => DeviceCrypto.DecodeQueryKey(_ios);

    [Benchmark]
    public string KeyId() => DeviceKeys.KeyId(_spki);
}
