using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Challenges.Benchmarks.Profile;

/// <summary>
/// One perf recording, summarised two ways. By layer: each sample goes to the innermost frame of its stack that belongs
/// to a known layer (JSON, the Redis client, JWT, a middleware, Kestrel...), so time spent in shared code (collections,
/// async plumbing, the kernel's socket calls) is charged to the layer that called it. On the stack: the share of
/// samples with a layer anywhere on their stack; async methods resume on thread-pool threads without their callers'
/// frames, so this is a floor, and layers nest.
/// </summary>
internal sealed partial class PerfSummary(string stage)
{
    private const string JitArea = "JIT (tiered compilation)";

    /// <summary>Layers, in the order a frame is tested against them.</summary>
    private static readonly (string Layer, Regex Frame)[] Layers =
    [
        ("JSON (System.Text.Json)", new(@"\[System\.Text\.Json\]", RegexOptions.Compiled)),
        ("crypto (HMAC, SHA, ECDSA, OpenSSL)", new(@"Security\.Cryptography|libcrypto", RegexOptions.Compiled)),
        ("client tokens (JWT)", new(@"IdentityModel|Challenges\.Api\.Tokens", RegexOptions.Compiled)),
        ("validation (FluentValidation, filter)", new(@"FluentValidation|ValidationFilter", RegexOptions.Compiled)),
        ("logging", new(@"Microsoft\.Extensions\.Logging", RegexOptions.Compiled)),
        ("regular expressions", new(@"RegularExpressions", RegexOptions.Compiled)),
        ("Redis client (StackExchange.Redis, its sockets)", new(@"StackExchange\.Redis|Pipelines\.Sockets\.Unofficial", RegexOptions.Compiled)),
        ("store (Challenges.Api.Storage)", new(@"Challenges\.Api\.Storage", RegexOptions.Compiled)),
        ("HTTP client (webhooks, providers)", new(@"System\.Net\.Http|Challenges\.Api\.Delivery", RegexOptions.Compiled)),
        ("features (handlers and services)", new(@"Challenges\.Api\.(Actions|Otp|Push|Users|StepUp|Hosted|RateLimiting|Health)", RegexOptions.Compiled)),
        ("authentication", new(@"AspNetCore\.Authentication|Challenges\.Api\.Tenants", RegexOptions.Compiled)),
        ("authorization", new(@"AspNetCore\.Authorization", RegexOptions.Compiled)),
        ("Swagger / Swagger UI middleware", new(@"Swashbuckle|StaticFile", RegexOptions.Compiled)),
        ("CORS", new(@"AspNetCore\.Cors", RegexOptions.Compiled)),
        ("minimal API (binding, filters, results)", new(@"RequestDelegateFactory|HttpResults|AspNetCore\.Http\.Extensions|EndpointMiddleware", RegexOptions.Compiled)),
        ("routing", new(@"AspNetCore\.Routing", RegexOptions.Compiled)),
        ("the server's middleware (errors, status bodies, guard)", new(@"Challenges\.Api\.Http|StatusCodePages|AspNetCore\.Diagnostics", RegexOptions.Compiled)),
        ("hosting (request context, diagnostics, Activity)", new(@"AspNetCore\.Hosting|System\.Diagnostics\.(Activity|DiagnosticListener)", RegexOptions.Compiled)),
        ("Kestrel (HTTP/1.1, pipes, sockets)", new(@"Kestrel|System\.IO\.Pipelines|System\.Net\.Sockets|AspNetCore\.Http\]|AspNetCore\.Http\.", RegexOptions.Compiled)),
        ("thread pool (dispatch, waits)", new(@"ThreadPool|LowLevelLifoSemaphore|ExecutionContext", RegexOptions.Compiled)),
    ];

    private readonly Dictionary<string, long> _byLayer = new(StringComparer.Ordinal);
    private readonly long[] _onStack = new long[Layers.Length];

    public string Stage { get; } = stage;
    public long Samples { get; private set; }

    public static async Task<PerfSummary> ReadAsync(string stage, TextReader perfScript)
    {
        ArgumentNullException.ThrowIfNull(perfScript);
        var summary = new PerfSummary(stage);
        string? thread = null;
        var frames = new List<string>();
        while (await perfScript.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                summary.Add(thread, frames);
                (thread, frames) = (null, []);
            }
            else if (char.IsWhiteSpace(line[0]))
            {
                frames.Add(line.Trim());
            }
            else
            {
                // "<thread name> <tid> [cpu] <time>: <period> <event>:", where the thread name may hold spaces.
                thread = SampleHeader().Match(line) is { Success: true } m ? m.Groups[1].Value : line;
            }
        }
        summary.Add(thread, frames);
        return summary;
    }

    private void Add(string? thread, List<string> frames)
    {
        if (thread is null || frames.Count == 0)
        {
            return;
        }
        Samples++;
        var layer = LayerOf(thread, frames);
        _byLayer[layer] = _byLayer.GetValueOrDefault(layer) + 1;
        for (var i = 0; i < Layers.Length; i++)
        {
            if (frames.Exists(Layers[i].Frame.IsMatch))
            {
                _onStack[i]++;
            }
        }
    }

    /// <summary>The layer a sample is charged to: the GC and the JIT by thread, else the innermost known frame.</summary>
    internal static string LayerOf(string thread, IReadOnlyList<string> frames)
    {
        if (thread.StartsWith(".NET Server GC", StringComparison.Ordinal) || thread.StartsWith(".NET BGC", StringComparison.Ordinal) ||
            frames.Any(f => f.Contains("gc_heap", StringComparison.Ordinal)))
        {
            return "GC";
        }
        if (thread.StartsWith(".NET Tiered Com", StringComparison.Ordinal) || frames[0].Contains("libclrjit", StringComparison.Ordinal))
        {
            return JitArea;
        }
        foreach (var frame in frames)
        {
            foreach (var (layer, pattern) in Layers)
            {
                if (pattern.IsMatch(frame))
                {
                    return layer;
                }
            }
        }
        return frames[0].Contains("[kernel.kallsyms]", StringComparison.Ordinal)
            ? "kernel, no known caller (scheduling, waits)"
            : "runtime and other (libcoreclr, libc, unresolved)";
    }

    public void Write(StringBuilder md)
    {
        ArgumentNullException.ThrowIfNull(md);
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"## {Stage}");
        md.AppendLine();
        if (Samples == 0)
        {
            Line($"No samples (was perf allowed to attach?).");
            return;
        }
        Line($"{Samples} samples of the server process.");
        if ((double)_byLayer.GetValueOrDefault(JitArea) / Samples > 0.1)
        {
            Line($"The JIT was still compiling (over 10% of the samples): warm up longer (WARMUP=60s) for a steady-state picture.");
        }
        md.AppendLine();
        Line($"| layer | by layer | on the stack |");
        Line($"|---|---:|---:|");
        var onStack = Layers.Select((l, i) => (l.Layer, Count: _onStack[i])).ToDictionary(l => l.Layer, l => l.Count, StringComparer.Ordinal);
        foreach (var (layer, count) in _byLayer.OrderByDescending(s => s.Value))
        {
            Line($"| {layer} | {(double)count / Samples:0.0%} | {(onStack.TryGetValue(layer, out var s) ? ((double)s / Samples).ToString("0.0%", CultureInfo.InvariantCulture) : "")} |");
        }
        foreach (var (layer, count) in onStack.Where(l => !_byLayer.ContainsKey(l.Key) && l.Value > 0))
        {
            Line($"| {layer} | 0.0% | {(double)count / Samples:0.0%} |");
        }
    }

    [GeneratedRegex(@"^(.*?)\s+\d+\s+(?:\[\d+\]\s+)?[\d.]+:")]
    private static partial Regex SampleHeader();
}
