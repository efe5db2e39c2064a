using BenchmarkDotNet.Attributes;
using Challenges.Api.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Challenges.Benchmarks.Micro;

/// <summary>Client token issue (every track and successful verify) and check (every Bearer request and validate).</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private TokenService _tokens = null!;
    private string _token = "";

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new TokenOptions { SigningKey = "benchmark-token-signing-key-0123456789abcdef" });
        _tokens = new TokenService(options, TimeProvider.System, new SigningKeyProvider(options, NullLogger<SigningKeyProvider>.Instance));
        _token = Issue();
    }

    [Benchmark]
    public string Issue() => _tokens.Issue("tenant-a", "user-0123456789", "signIn", "0f8fad5bd9cb469fa16570867728950e",
        ["read:authenticators"]);

    [Benchmark]
    public Task<TokenCheck> Check() => _tokens.CheckAsync(_token);
}
