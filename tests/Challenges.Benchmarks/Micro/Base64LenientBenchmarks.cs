using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Challenges.Api.Http;

namespace Challenges.Benchmarks.Micro;

/// <summary>
/// Lenient base64 of a device's <c>publicKey</c> query value (the SPKI base64 encoded again), against the strict BCL
/// decoder on the same padded input.
/// </summary>
[MemoryDiagnoser]
public class Base64LenientBenchmarks
{
    private string _padded = "";
    private string _unpaddedUrl = "";

    [GlobalSetup]
    public void Setup()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        _padded = Convert.ToBase64String(Encoding.UTF8.GetBytes(spki));
        _unpaddedUrl = _padded.TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Benchmark(Baseline = true)]
    public byte[] StrictBcl() => Convert.FromBase64String(_padded);

    [Benchmark]
    public byte[]? LenientPadded() => Base64Lenient.Decode(_padded);

    [Benchmark]
    public byte[]? LenientUnpaddedUrl() => Base64Lenient.Decode(_unpaddedUrl);
}
