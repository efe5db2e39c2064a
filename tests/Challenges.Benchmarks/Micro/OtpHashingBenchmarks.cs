using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Challenges.Api.Otp;

namespace Challenges.Benchmarks.Micro;

/// <summary>OTP codes: making one, storing its HMAC, and checking a guess in constant time.</summary>
public class OtpHashingBenchmarks
{
    private readonly OtpCodes _codes = new(RandomNumberGenerator.GetBytes(32));
    private const string ChallengeId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private string _hash = "";

    [GlobalSetup]
    public void Setup() => _hash = _codes.Hash(ChallengeId, "123456");

#pragma warning disable CA1822 // BenchmarkDotNet runs instance methods.
    [Benchmark]
    public string Generate() => OtpCodes.Generate(6);
#pragma warning restore CA1822

    [Benchmark]
    public string Hash() => _codes.Hash(ChallengeId, "123456");

    [Benchmark]
    public bool MatchesWrongCode() => _codes.Matches(ChallengeId, "654321", _hash);
}
