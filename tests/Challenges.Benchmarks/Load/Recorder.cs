using System.Collections.Concurrent;
using System.Diagnostics;

namespace Challenges.Benchmarks.Load;

/// <summary>
/// Every latency of every request, per endpoint, in microseconds: exact percentiles without a histogram library.
/// At tens of thousands of requests per second a lock per endpoint costs nothing next to an HTTP round trip.
/// </summary>
internal sealed class Recorder
{
    private readonly ConcurrentDictionary<string, EndpointSeries> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ScenarioCounters> _scenarios = new(StringComparer.Ordinal);

    public long StartedAt { get; private set; } = Stopwatch.GetTimestamp();
    public long StoppedAt { get; private set; }

    public void Start() => StartedAt = Stopwatch.GetTimestamp();

    public void Stop() => StoppedAt = Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartedAt, StoppedAt == 0 ? Stopwatch.GetTimestamp() : StoppedAt);

    public void Request(string endpoint, TimeSpan latency, string? error)
    {
        var series = _endpoints.GetOrAdd(endpoint, e => new EndpointSeries(e));
        lock (series)
        {
            if (error is null)
            {
                series.Micros.Add((long)(latency.Ticks / 10));
            }
            else
            {
                series.Errors[error] = series.Errors.GetValueOrDefault(error) + 1;
            }
        }
    }

    public ScenarioCounters Scenario(string name) => _scenarios.GetOrAdd(name, n => new ScenarioCounters(n));

    public ScenarioCounters? FindScenario(string name) => _scenarios.GetValueOrDefault(name);

    public IReadOnlyList<EndpointSeries> Endpoints => [.. _endpoints.Values.OrderBy(e => e.Order)];

    public IReadOnlyList<ScenarioCounters> Scenarios => [.. _scenarios.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    public long TotalRequests => _endpoints.Values.Sum(e => e.Count);
}

/// <summary>One endpoint's latencies and error counts (by status and code).</summary>
internal sealed class EndpointSeries(string name)
{
    private static long _next;

    public string Name { get; } = name;

    /// <summary>First-seen order, so the report lists endpoints in lifecycle order.</summary>
    public long Order { get; } = Interlocked.Increment(ref _next);

    public List<long> Micros { get; } = [];
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);
    public long Count => Micros.Count + Errors.Values.Sum();
    public long ErrorCount => Errors.Values.Sum();

    public Percentiles Summarise()
    {
        var sorted = Micros.ToArray();
        Array.Sort(sorted);
        return Percentiles.Of(sorted);
    }
}

internal sealed record Percentiles(double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static Percentiles Of(long[] sortedMicros)
    {
        if (sortedMicros.Length == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        double At(double q) => sortedMicros[Math.Clamp((int)Math.Ceiling(q * sortedMicros.Length) - 1, 0, sortedMicros.Length - 1)] / 1000.0;
        return new Percentiles(sortedMicros.Average() / 1000.0, At(0.50), At(0.95), At(0.99), sortedMicros[^1] / 1000.0);
    }
}

/// <summary>Per scenario: virtual users, completed and failed lifecycles, and why a scenario stopped.</summary>
internal sealed class ScenarioCounters(string name)
{
    private long _completed;
    private long _failed;
    private long _skipped;
    private long _requests;

    public string Name { get; } = name;
    public int VirtualUsers { get; set; }
    public long Completed => Interlocked.Read(ref _completed);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Fixed-rate starts that found no free virtual user (the rate was more than the users could carry).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Set when the scenario could not run at all, e.g. its endpoints are not deployed.</summary>
    public string? Unavailable { get; set; }

    public ConcurrentDictionary<string, long> Failures { get; } = new(StringComparer.Ordinal);

    public void Complete() => Interlocked.Increment(ref _completed);

    public void Skip() => Interlocked.Increment(ref _skipped);

    /// <summary>Requests made by this scenario's lifecycles (track and validate are shared by several scenarios).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public void CountRequest() => Interlocked.Increment(ref _requests);

    public void Fail(string reason)
    {
        Interlocked.Increment(ref _failed);
        Failures.AddOrUpdate(reason, 1, (_, n) => n + 1);
    }
}
