using Challenges.Api.Storage;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Challenges.Api.Observability;

/// <summary>
/// Logs, metrics and traces. <c>Logging__Format=json</c> writes one JSON object per line. The domain instruments
/// (<see cref="ChallengeMetrics"/>) and the ASP.NET Core and HttpClient ones are exported as Prometheus text at
/// <c>/metrics</c> when <c>Metrics__Enabled=true</c>, and with traces (Redis calls included) over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. With neither, no OpenTelemetry pipeline runs.
/// </summary>
public static class ObservabilitySetup
{
    public const string ServiceName = "challenges";
    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new() { Indented = false };
            });
        }

        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.OutboxInterval >= TimeSpan.FromSeconds(1), "Metrics__OutboxInterval must be at least one second.")
            .Validate(o => o.Port is null or (>= 1 and <= 65535), "Metrics__Port must be between 1 and 65535.")
            .ValidateOnStart();
        services.AddSingleton<ChallengeMetrics>();

        var prometheus = configuration.GetValue<bool>($"{MetricsOptions.Section}:Enabled");
        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpoint]);
        if (!prometheus && !otlp)
        {
            return builder;
        }
        // The outbox gauges cost store calls: measured only when something exports them.
        services.AddHostedService<OutboxMonitor>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ChallengeMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (!RedisOptions.IsMemory(configuration[$"{RedisOptions.Section}:Configuration"]))
                {
                    tracing.AddRedisInstrumentation();
                }
            });
            // Reads OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_EXPORTER_OTLP_* settings) for metrics, traces and logs.
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c> when enabled; with <c>Metrics__Port</c> only on connections to that local port, so that the
    /// public listener never serves it (a Host header cannot fake the port a connection arrived on). While the metrics
    /// are exported, each request's store round trips are counted (<see cref="StoreRoundTrips"/>) by route.
    /// </summary>
    public static WebApplication UseMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.Services.GetRequiredService<ChallengeMetrics>();
        app.Use(async (context, next) =>
        {
            if (!metrics.CountsRoundTrips)
            {
                await next(context);
                return;
            }
            var count = StoreRoundTrips.Begin();
            await next(context);
            if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
            {
                metrics.RoundTrips($"{context.Request.Method} {(route.Length > 1 ? route.TrimEnd('/') : route)}", count());
            }
        });
        var options = app.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (options.Enabled)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
                context.Request.Path == "/metrics" && (options.Port is not { } port || context.Connection.LocalPort == port));
        }
        return app;
    }
}
