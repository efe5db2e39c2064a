using System.Text;
using BenchmarkDotNet.Attributes;
using Challenges.Api.Tenants;

namespace Challenges.Benchmarks.Micro;

/// <summary>The three Basic spellings of docs/contract.md §1.2, decoded on every device and server request.</summary>
[MemoryDiagnoser]
public class BasicCredentialsBenchmarks
{
    private const string TenantId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

    private readonly string _web = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(TenantId)));
    private readonly string _ios = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(TenantId + ":"))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    private readonly string _android = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(TenantId + ":"));

    [Benchmark]
    public string? WebSdk() => BasicCredentials.Decode(_web);

    [Benchmark]
    public string? IosSdk() => BasicCredentials.Decode(_ios);

    [Benchmark(Baseline = true)]
    public string? AndroidSdk() => BasicCredentials.Decode(_android);
}
