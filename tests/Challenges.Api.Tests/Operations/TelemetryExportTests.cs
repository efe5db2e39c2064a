using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Operations;

/// <summary>
/// Telemetry leaving a real server process: <c>/metrics</c> kept off the public listener with <c>Metrics__Port</c>, and
/// OTLP export (HTTP/protobuf) to a local receiver when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public sealed class TelemetryExportTests
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

    [Fact]
    public async Task Traces_metrics_and_logs_go_to_the_otlp_endpoint_when_one_is_set()
    {
        await using var collector = new WebhookListener();
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For("memory", new Uri("http://127.0.0.1:1/"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl.ToString().TrimEnd('/')),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "200")));

        await server.Client(TestTenants.AKey).PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();

        foreach (var signal in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
        {
            var export = await collector.WaitForAsync(r => r.Path == signal, TimeSpan.FromSeconds(30));
            Assert.Equal("POST", export.Method);
            Assert.Equal("application/x-protobuf", export.Header("Content-Type"));
            Assert.NotEmpty(export.Body);
        }
        // The domain meter is exported, under the service's name.
        var metrics = await collector.WaitForAsync(r => r.Path == "/v1/metrics" && r.BodyText.Contains("outbox.backlog", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Contains("service.name", metrics.BodyText, StringComparison.Ordinal);
        Assert.Contains("challenges", metrics.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_traces_exported_a_request_is_traced_into_the_webhook_it_sends()
    {
        await using var collector = new WebhookListener();
        await using var webhooks = new WebhookListener();
        await using var server = await ServerProcess.StartAsync(ProcessSettings.For("memory", webhooks.Url,
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl.ToString().TrimEnd('/')),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_BSP_SCHEDULE_DELAY", "200")), new ServerProcessOptions(VerboseLogs: false));
        var phone = Otp.OtpKit.NewPhone();

        await Otp.OtpKit.PasswordlessSmsAsync(server.Client(TestTenants.AKey), webhooks, phone);

        // The per-request log category is off (appsettings.json), yet the request is traced: its trace id goes out
        // with the webhook and comes back in an exported span.
        var webhook = webhooks.Received.Single(r => Otp.OtpKit.IsDelivery(r, "sms.created", phone));
        var traceparent = webhook.Header("traceparent");
        Assert.NotNull(traceparent);
        var traceId = Convert.FromHexString(traceparent.Split('-')[1]);
        await collector.WaitForAsync(r => r.Path == "/v1/traces" && r.Body.AsSpan().IndexOf(traceId) >= 0, TimeSpan.FromSeconds(30));
    }
}
