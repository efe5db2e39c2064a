using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Challenges.Benchmarks.Profile;

/// <summary>
/// One perf recording, summarised two ways. Self time: each sample goes to the area of the frame it was taken in
/// (kernel network or scheduling, the JIT, the GC, or the managed assembly that owns the method). Inclusive: the
/// share of samples with a given layer of the request pipeline anywhere on their stack. Async methods resume on
/// thread-pool threads, so a layer's inclusive share counts its own code and what runs inside it synchronously;
/// treat it as a floor.
/// </summary>
internal sealed partial class PerfSummary(string stage)
{
    /// <summary>Pipeline layers, found by name anywhere on a sample's stack.</summary>
    private static readonly (string Layer, Regex Frame)[] Layers =
    [
        ("Kestrel request loop (all request work)", new(@"HttpProtocol\+<ProcessRequests>", RegexOptions.Compiled)),
        ("ErrorHandlingMiddleware", new(@"Challenges\.Api\.Http\.ErrorHandlingMiddleware", RegexOptions.Compiled)),
        ("StatusCodePagesMiddleware", new(@"StatusCodePagesMiddleware", RegexOptions.Compiled)),
        ("RequestGuardMiddleware", new(@"Challenges\.Api\.Http\.RequestGuardMiddleware|LimitedReadStream", RegexOptions.Compiled)),
        ("routing (EndpointRoutingMiddleware, matcher)", new(@"EndpointRoutingMiddleware|Routing\.Matching", RegexOptions.Compiled)),
        ("CORS", new(@"AspNetCore\.Cors", RegexOptions.Compiled)),
        ("authentication (middleware, handlers, JWT)", new(@"AspNetCore\.Authentication|IdentityModel|BasicAuthenticationHandler|Challenges\.Api\.Tenants", RegexOptions.Compiled)),
        ("authorization", new(@"AspNetCore\.Authorization", RegexOptions.Compiled)),
        ("Swagger / Swagger UI middleware", new(@"Swashbuckle|StaticFileMiddleware", RegexOptions.Compiled)),
        ("endpoint (filters, binding, handler, result)", new(@"EndpointMiddleware|RequestDelegateFactory", RegexOptions.Compiled)),
        ("validation (filter, FluentValidation)", new(@"ValidationFilter|FluentValidation", RegexOptions.Compiled)),
        ("JSON (System.Text.Json)", new(@"\[System\.Text\.Json\]", RegexOptions.Compiled)),
        ("Redis client (StackExchange.Redis)", new(@"\[StackExchange\.Redis\]|Challenges\.Api\.Storage", RegexOptions.Compiled)),
        ("logging", new(@"Microsoft\.Extensions\.Logging", RegexOptions.Compiled)),
        ("crypto (ECDSA, HMAC, SHA, OpenSSL)", new(@"Security\.Cryptography|libcrypto", RegexOptions.Compiled)),
        ("regular expressions", new(@"RegularExpressions", RegexOptions.Compiled)),
        ("thread pool waiting or spinning", new(@"LowLevelLifoSemaphore|PortableThreadPool\+WorkerThread|sched_yield", RegexOptions.Compiled)),
    ];

    private const string JitArea = "JIT (tiered compilation)";

    private readonly Dictionary<string, long> _self = new(StringComparer.Ordinal);
    private readonly long[] _layers = new long[Layers.Length];

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
        var area = AreaOf(thread, frames);
        _self[area] = _self.GetValueOrDefault(area) + 1;
        for (var i = 0; i < Layers.Length; i++)
        {
            if (frames.Exists(Layers[i].Frame.IsMatch))
            {
                _layers[i]++;
            }
        }
    }

    /// <summary>The area a sample's own frame belongs to.</summary>
    internal static string AreaOf(string thread, IReadOnlyList<string> frames)
    {
        var leaf = frames[0];
        if (thread.StartsWith(".NET Server GC", StringComparison.Ordinal) || thread.StartsWith(".NET BGC", StringComparison.Ordinal) ||
            frames.Any(f => f.Contains("gc_heap", StringComparison.Ordinal)))
        {
            return "GC";
        }
        if (thread.StartsWith(".NET Tiered Com", StringComparison.Ordinal) || leaf.Contains("libclrjit", StringComparison.Ordinal))
        {
            return JitArea;
        }
        if (leaf.Contains("[kernel.kallsyms]", StringComparison.Ordinal))
        {
            return frames.Any(f => KernelNetwork().IsMatch(f)) ? "kernel: network (loopback TCP, epoll)"
                : frames.Any(f => KernelScheduling().IsMatch(f)) ? "kernel: scheduling, thread waits"
                : "kernel: other";
        }
        if (ManagedAssembly().Match(leaf) is { Success: true } assembly)
        {
            return "managed: " + assembly.Groups[1].Value;
        }
        return LibraryName().Match(leaf) is not { Success: true } library ? "other"
            : library.Groups[1].Value.EndsWith(".dll", StringComparison.Ordinal) ? "managed, precompiled: " + library.Groups[1].Value
            : "native: " + library.Groups[1].Value;
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
        if ((double)_self.GetValueOrDefault(JitArea) / Samples > 0.1)
        {
            Line($"The JIT was still compiling (over 10% of the samples): warm up longer (WARMUP=60s) for a steady-state picture.");
        }
        md.AppendLine();
        Line($"| self time in | share |");
        Line($"|---|---:|");
        var shown = _self.OrderByDescending(s => s.Value).Take(16).ToList();
        foreach (var (area, count) in shown)
        {
            Line($"| {area} | {(double)count / Samples:0.0%} |");
        }
        var rest = Samples - shown.Sum(s => s.Value);
        if (rest > 0)
        {
            Line($"| everything else | {(double)rest / Samples:0.0%} |");
        }
        md.AppendLine();
        Line($"| on the stack (inclusive) | share |");
        Line($"|---|---:|");
        for (var i = 0; i < Layers.Length; i++)
        {
            Line($"| {Layers[i].Layer} | {(double)_layers[i] / Samples:0.0%} |");
        }
    }

    [GeneratedRegex(@"^(.*?)\s+\d+\s+(?:\[\d+\]\s+)?[\d.]+:")]
    private static partial Regex SampleHeader();

    [GeneratedRegex(@"\btcp_|\budp_|\bip_|\bsock|\bskb|\bnet_|\binet|__sys_send|__sys_recv|epoll|\bnf_|loopback|__netif|napi")]
    private static partial Regex KernelNetwork();

    [GeneratedRegex(@"schedule|sched_|futex|finish_task_switch|hrtimer|nanosleep")]
    private static partial Regex KernelScheduling();

    [GeneratedRegex(@"\[(?!unknown\])([A-Za-z][\w.]*)\]\s")]
    private static partial Regex ManagedAssembly();

    [GeneratedRegex(@"([^()/]+)\)$")]
    private static partial Regex LibraryName();
}
