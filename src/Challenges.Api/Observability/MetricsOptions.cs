namespace Challenges.Api.Observability;

/// <summary>The <c>Metrics</c> section: the Prometheus endpoint and how often the outbox is measured.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serves <c>GET /metrics</c> in Prometheus text format.</summary>
    public bool Enabled { get; set; }

    /// <summary>When set, <c>/metrics</c> answers only on connections to this local port (add it to the listening URLs).</summary>
    public int? Port { get; set; }

    /// <summary>How often the outbox gauges are measured from the store.</summary>
    public TimeSpan OutboxInterval { get; set; } = TimeSpan.FromSeconds(15);
}
