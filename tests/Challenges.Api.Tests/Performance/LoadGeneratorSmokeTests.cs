using Challenges.Api.Tests.Infrastructure;
using Challenges.Benchmarks.Load;

namespace Challenges.Api.Tests.Performance;

/// <summary>
/// Keeps the load generator working: a short run of its core against the test server, with the baseline and the
/// Server API mix. No timing is asserted; only that requests were made, counted, and reported.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class LoadGeneratorSmokeTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_short_run_counts_every_request_and_writes_every_report_section()
    {
        using var http = fixture.Factory.CreateClient();
        var options = new LoadOptions
        {
            Url = http.BaseAddress!,
            Tenant = TestTenants.A,
            Secret = TestTenants.AKey,
            Redis = fixture.RedisConfiguration,
            Duration = TimeSpan.FromSeconds(1.5),
            Warmup = TimeSpan.FromSeconds(0.3),
            Concurrency = 4,
            Mix = ["server", "baseline"],
            HalfRate = true,
            ProbeLifecycles = 1,
            Pending = 20,
            ServerPid = Environment.ProcessId,
        };

        var report = await LoadCommand.RunAsync(options, http, TextWriter.Null, CancellationToken.None);
        var markdown = ReportWriter.Write(report);

        var closed = report.Closed;
        foreach (var name in new[] { "server", "baseline" })
        {
            var scenario = closed.FindScenario(name);
            Assert.NotNull(scenario);
            Assert.Equal(2, scenario.VirtualUsers);
            Assert.True(scenario.Completed > 0, $"no {name} lifecycle completed");
        }
        Assert.Equal(closed.Endpoints.Sum(e => e.Count), closed.Scenarios.Sum(s => s.Requests));
        Assert.Contains(closed.Endpoints, e => e.Name == "POST /v1/validate" && e.Micros.Count > 0);
        Assert.True(report.CommandCalls!.Values.Sum() > 0, "no Redis command was counted");
        Assert.Contains(report.RoundTrips!, r => r.Endpoint.Contains("(track)", StringComparison.Ordinal) && r.ServerCommands > 0);
        Assert.NotNull(report.HalfRate);
        Assert.NotNull(report.PeakKiB);
        Assert.Empty(report.Unavailable);

        foreach (var section in new[]
        {
            "## Endpoint throughput (wrk)", "## Generator check", "## From bare Kestrel to /health/live",
            "## Lifecycles under the .NET generator", "## Latency per endpoint in the lifecycles", "## p99 at half of max throughput", "## Redis commands per request",
            "## Redis commands per endpoint (MONITOR probe)", "## Redis memory per pending challenge", "## Server memory",
            "## Scenarios not run",
        })
        {
            Assert.Contains(section, markdown, StringComparison.Ordinal);
        }
        Assert.Contains("`GET /health/live (baseline)`", markdown, StringComparison.Ordinal);
    }
}
