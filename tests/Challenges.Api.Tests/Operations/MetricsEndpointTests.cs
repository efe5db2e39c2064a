using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Operations;

/// <summary><c>/metrics</c> kept off the public listener with <c>Metrics__Port</c>, in a real process on two ports.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_on_their_own_port_are_not_served_on_the_public_listener()
    {
        var metricsPort = RedisServer.FreePort();
        await using var server = await ServerProcess.StartAsync(
            ProcessSettings.For("memory", new Uri("http://127.0.0.1:1/"), ("Metrics:Enabled", "true"),
                ("Metrics:Port", metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new ServerProcessOptions(ExtraPorts: [metricsPort]));
        using var client = server.Client();

        using (var response = await client.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        // A Host header naming the metrics port does not move the connection there.
        using (var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            spoofed.Headers.Host = $"127.0.0.1:{metricsPort}";
            using var response = await client.SendAsync(spoofed);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        var text = await metrics.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE", text, StringComparison.Ordinal);
    }
}
