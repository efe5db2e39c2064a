using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Challenges.Api.Observability;

/// <summary>
/// The domain instruments, all on the one <see cref="System.Diagnostics.Metrics.Meter"/> named <c>Challenges</c>:
/// challenges started and completed, delivery attempts with their duration, rate-limit refusals, and the lifecycle
/// event outbox (backlog and the age of its longest wait). Tags are low-cardinality: tenant, method, outcome,
/// channel, provider, rule.
/// </summary>
public sealed class ChallengeMetrics
{
    public const string MeterName = "Challenges";

    private readonly TimeProvider _time;
    private readonly Counter<long> _started;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Counter<long> _refusals;
    private readonly Histogram<int> _roundTrips;
    private readonly Lock _outboxLock = new();
    private (long Backlog, double OldestAgeSeconds)? _outbox;

    public ChallengeMetrics(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time;
        var meter = meters.Create(MeterName);
        _started = meter.CreateCounter<long>("challenges.started", description: "Challenges started (a code sent, a push or step-up created).");
        _completed = meter.CreateCounter<long>("challenges.completed",
            description: "Challenges that reached an end: verified or max_attempts (OTP), approved or rejected (push), superseded.");
        _deliveries = meter.CreateCounter<long>("delivery.attempts", description: "Attempts to deliver a code, a push prompt or a lifecycle event.");
        _deliveryDuration = meter.CreateHistogram<double>("delivery.duration", unit: "s", description: "How long one delivery attempt took.");
        _refusals = meter.CreateCounter<long>("ratelimit.refusals", description: "Requests refused by a rate limit, by rule.");
        _roundTrips = meter.CreateHistogram("store.round_trips", unit: "{round_trip}",
            description: "Store round trips one request took, by route (calls sent together share one).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 6, 8, 10] });
        meter.CreateObservableGauge("outbox.backlog", () => Outbox(o => (long)o.Backlog),
            description: "Users with lifecycle events not yet delivered.");
        meter.CreateObservableGauge("outbox.oldest_event_age", () => Outbox(o => o.OldestAgeSeconds), unit: "s",
            description: "How long the longest-waiting user has had undelivered lifecycle events.");
    }

    public void Started(string tenant, string method) =>
        _started.Add(1, new("tenant", tenant), new("method", method));

    public void Completed(string tenant, string method, string outcome) =>
        _completed.Add(1, new("tenant", tenant), new("method", method), new("outcome", outcome));

    /// <summary>Whether anything listens to <c>store.round_trips</c>: requests are counted only then.</summary>
    public bool CountsRoundTrips => _roundTrips.Enabled;

    public void RoundTrips(string route, int count) => _roundTrips.Record(count, new KeyValuePair<string, object?>("route", route));

    public void Refused(string rule) => _refusals.Add(1, new KeyValuePair<string, object?>("rule", rule));

    /// <summary>Runs one delivery attempt, counting it and timing it under its channel, provider and outcome.</summary>
    public async Task<T> DeliverAsync<T>(string channel, string provider, Func<Task<T>> attempt, Func<T, bool> delivered)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(delivered);
        var started = _time.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await attempt();
            outcome = delivered(result) ? "delivered" : "failed";
            return result;
        }
        finally
        {
            TagList tags = new() { { "channel", channel }, { "provider", provider }, { "outcome", outcome } };
            _deliveries.Add(1, tags);
            _deliveryDuration.Record(_time.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>The outbox as last measured; the gauges report nothing until the first measurement.</summary>
    public void SetOutbox(long backlog, TimeSpan oldestAge)
    {
        lock (_outboxLock)
        {
            _outbox = (backlog, oldestAge.TotalSeconds);
        }
    }

    private IEnumerable<Measurement<T>> Outbox<T>(Func<(long Backlog, double OldestAgeSeconds), T> pick) where T : struct
    {
        lock (_outboxLock)
        {
            return _outbox is { } o ? [new Measurement<T>(pick(o))] : [];
        }
    }
}
