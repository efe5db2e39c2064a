using System.Net.Http.Headers;
using System.Text.Json;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>One prepared request: a line of the file the wrk harness reads (fields without tabs or line breaks).</summary>
internal sealed record BenchRequest(string Method, string Path, string? Authorization, string? Body)
{
    public static BenchRequest Get(string path, AuthenticationHeaderValue? auth = null) => new("GET", path, auth?.ToString(), null);

    /// <summary>A JSON POST; <paramref name="body"/> is serialised with the web defaults (camelCase), on one line.</summary>
    public static BenchRequest Post(string path, AuthenticationHeaderValue? auth, object body) =>
        new("POST", path, auth?.ToString(), JsonSerializer.Serialize(body, ApiClient.Json));

    public string ToLine() => $"{Method}\t{Path}\t{Authorization}\t{Body}";
}

/// <summary>
/// One endpoint's measurement: its requests, whether they repeat (<see cref="Cycle"/>: read-only endpoints) or are each
/// sent once (per-request state), the text an answer must contain to count, and the JSON string field to collect from
/// each counted answer for the next stage.
/// </summary>
internal sealed record EndpointStage(string Name, IReadOnlyList<BenchRequest> Requests, bool Cycle, string Expect, string? Capture = null);

/// <summary>
/// What a stage measured. <see cref="Sent"/>: for a once stage, the indexes of the requests that went out (a stage
/// cut short by its time limit leaves the rest unsent, and the next stage must not count on them).
/// </summary>
internal sealed record StageResult(string Name, long Ok, long Bad, double Seconds, Latency? Latency, IReadOnlyList<string> Captured,
    Func<int, bool> Sent, string? FirstBad)
{
    public double RequestsPerSecond => Seconds > 0 ? Ok / Seconds : 0;

    /// <summary>CPU the server used while the stage ran, when its process is known.</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary>The server's CPU per counted request, in microseconds.</summary>
    public double? CpuMicrosPerRequest => ServerCpuSeconds is { } cpu && Ok > 0 ? cpu * 1e6 / Ok : null;
}

/// <summary>wrk's latency summary of a stage, in microseconds.</summary>
internal sealed record Latency(double MeanUs, long P50Us, long P90Us, long P99Us, long MaxUs);

/// <summary>Sends a stage's requests against the server and counts the answers.</summary>
internal interface IStageRunner
{
    /// <summary>Describes how the stages are run, for the report.</summary>
    string Description { get; }

    Task<StageResult> RunAsync(EndpointStage stage, TimeSpan duration, CancellationToken cancel);
}
