using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Challenges.Benchmarks.Endpoints;

namespace Challenges.Benchmarks.Load;

/// <summary>The markdown report. Every section is always present; one that was not measured says why.</summary>
internal static class ReportWriter
{
    private const string Baseline = "baseline";

    public static string Write(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"# Load report");
        md.AppendLine();
        if (o.Note is not null)
        {
            Line($"> {o.Note}");
            md.AppendLine();
        }
        Line($"- started {report.StartedAt:yyyy-MM-dd HH:mm:ss} UTC against {o.Url}, tenant `{o.Tenant}`");
        Line($"- mix {string.Join(", ", o.Mix)}; {o.Concurrency} virtual users; warm-up {o.Warmup.TotalSeconds:0.#} s; measured {report.Closed.Elapsed.TotalSeconds:0.0} s");
        Line($"- machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; the generator shares the machine with the server and Redis");

        EndpointReportWriter.Write(md, report);

        var closed = report.Closed;
        var seconds = Math.Max(closed.Elapsed.TotalSeconds, 1e-9);
        md.AppendLine();
        Line($"## Lifecycles under the .NET generator");
        md.AppendLine();
        Line($"Closed loop: each virtual user starts its next lifecycle as soon as the last one ends. These rates are bounded by the generator (see the generator check); the server's throughput per endpoint is the wrk table.");
        md.AppendLine();
        Line($"| scenario | users | lifecycles | lifecycles/s | failed | requests/s |");
        Line($"|---|---:|---:|---:|---:|---:|");
        foreach (var s in closed.Scenarios)
        {
            var requests = RequestsOf(closed, s.Name);
            Line($"| {s.Name} | {s.VirtualUsers} | {s.Completed} | {s.Completed / seconds:0.0} | {s.Failed} | {requests / seconds:0.0} |");
        }
        Line($"| **all** | {o.Concurrency} | {closed.Scenarios.Sum(s => s.Completed)} | {closed.Scenarios.Sum(s => s.Completed) / seconds:0.0} | {closed.Scenarios.Sum(s => s.Failed)} | {closed.TotalRequests / seconds:0.0} |");

        md.AppendLine();
        Line($"## Latency per endpoint in the lifecycles");
        md.AppendLine();
        Line($"The closed loop above, per endpoint (each is called once per lifecycle, so its rate shows the mix). Times in ms.");
        md.AppendLine();
        Line($"| endpoint | ok | errors | req/s | mean | p50 | p95 | p99 | max |");
        Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var e in closed.Endpoints)
        {
            var p = e.Summarise();
            Line($"| `{e.Name}` | {e.Micros.Count} | {e.ErrorCount} | {e.Micros.Count / seconds:0.0} | {p.MeanMs:0.00} | {p.P50Ms:0.00} | {p.P95Ms:0.00} | {p.P99Ms:0.00} | {p.MaxMs:0.00} |");
        }
        Errors(md, closed);

        md.AppendLine();
        Line($"## p99 at half of max throughput");
        md.AppendLine();
        if (report.HalfRate is null || report.HalfRates is null)
        {
            Line($"Not measured (run with `--half-rate`).");
        }
        else
        {
            var half = report.HalfRate;
            var halfSeconds = Math.Max(half.Elapsed.TotalSeconds, 1e-9);
            Line($"Each scenario's lifecycles start at a fixed rate: half of its closed-loop rate above. Skipped = starts that found no free virtual user.");
            md.AppendLine();
            Line($"| scenario | target lifecycles/s | achieved | failed | skipped |");
            Line($"|---|---:|---:|---:|---:|");
            foreach (var s in half.Scenarios)
            {
                Line($"| {s.Name} | {report.HalfRates.GetValueOrDefault(s.Name):0.0} | {s.Completed / halfSeconds:0.0} | {s.Failed} | {s.Skipped} |");
            }
            md.AppendLine();
            Line($"| endpoint | ok | errors | p50 | p95 | p99 | max |");
            Line($"|---|---:|---:|---:|---:|---:|---:|");
            foreach (var e in half.Endpoints)
            {
                var p = e.Summarise();
                Line($"| `{e.Name}` | {e.Micros.Count} | {e.ErrorCount} | {p.P50Ms:0.00} | {p.P95Ms:0.00} | {p.P99Ms:0.00} | {p.MaxMs:0.00} |");
            }
            Errors(md, half);
        }

        md.AppendLine();
        Line($"## Redis commands per request");
        md.AppendLine();
        if (report.CommandCalls is null)
        {
            Line($"Not measured (no `--redis`).");
        }
        else
        {
            var total = report.CommandCalls.Values.Sum();
            var requests = closed.TotalRequests;
            var nonBaseline = requests - RequestsOf(closed, Baseline);
            Line($"`INFO commandstats` before and after the measured phase (the generator's own INFO/SCAN/MEMORY/ECHO left out). Redis counts commands run inside Lua scripts too, so this is an upper bound on round trips; the MONITOR probe below separates them.");
            md.AppendLine();
            Line($"- {total} commands for {requests} requests: **{Ratio(total, requests)} per request**, {Ratio(total, nonBaseline)} per non-baseline request, {Ratio(total, closed.Scenarios.Where(s => s.Name != Baseline).Sum(s => s.Completed))} per non-baseline lifecycle");
            md.AppendLine();
            Line($"| command | calls | per non-baseline request |");
            Line($"|---|---:|---:|");
            foreach (var (command, calls) in report.CommandCalls.OrderByDescending(c => c.Value))
            {
                Line($"| {command} | {calls} | {Ratio(calls, nonBaseline)} |");
            }
        }

        md.AppendLine();
        Line($"## Redis commands per endpoint (MONITOR probe)");
        md.AppendLine();
        if (report.RoundTrips is null)
        {
            Line($"Not measured (no `--redis`, or `--probe 0`).");
        }
        else
        {
            Line($"{o.ProbeLifecycles} lifecycles per scenario, one request at a time, after the measured phases. `server` = commands the server sent (each at most one round trip; commands sent concurrently share one), `in scripts` = commands run inside its Lua scripts (no round trip). Background work of the server (e.g. a retry loop) that falls inside a request's window is counted with it. `round trips` = the server's own count (its `store.round_trips` histogram, by route, read from `--metrics`): how many times a request waited for Redis, calls sent together counting once; mean and most per request over the probe's requests of that route.");
            md.AppendLine();
            Line($"| endpoint | requests | server commands / request | in scripts / request | round trips (mean, most) | server commands |");
            Line($"|---|---:|---:|---:|---:|---|");
            foreach (var r in report.RoundTrips)
            {
                var trips = report.ServerRoundTrips is null ? "not read"
                    : report.ServerRoundTrips.TryGetValue(ServerRoundTrips.RouteOf(r.Endpoint), out var h) ? $"{h.Mean:0.##}, {h.Max:0}" : "";
                Line($"| `{r.Endpoint}` | {r.Requests} | {r.ServerPerRequest:0.##} | {r.ScriptPerRequest:0.##} | {trips} | {r.Breakdown} |");
            }
        }

        md.AppendLine();
        Line($"## Redis memory per pending challenge");
        md.AppendLine();
        if (report.Pending is not { } pending)
        {
            Line($"Not measured (no `--redis`, or `--pending 0`).");
        }
        else if (pending.Unavailable is not null)
        {
            Line($"Not measured: {pending.Unavailable}.");
        }
        else
        {
            Line($"- {pending.Created} pending challenges created via {pending.Via} ({pending.Failed} failed) in {pending.Elapsed.TotalSeconds:0.0} s");
            Line($"- `used_memory` grew by {pending.UsedMemoryDelta} bytes: **{pending.BytesPerChallenge:0} bytes per pending challenge** (everything the starts left behind, rate-limit windows included)");
            md.AppendLine();
            Line($"| key family | keys added | mean MEMORY USAGE (bytes) | bytes per challenge |");
            Line($"|---|---:|---:|---:|");
            foreach (var f in pending.Families)
            {
                Line($"| `{f.Family}` | {f.Added} | {f.AverageBytes:0} | {f.Added * f.AverageBytes / Math.Max(1, pending.Created):0} |");
            }
        }

        md.AppendLine();
        Line($"## Server memory");
        md.AppendLine();
        if (report.Memory is null)
        {
            Line($"Not measured (no server process found: pass `--server-pid`).");
        }
        else
        {
            Line($"Server pid {report.Memory.Pid}, from /proc/{report.Memory.Pid}/status.");
            md.AppendLine();
            Line($"- VmRSS at start {Mib(report.RssAtStartKiB)}, after the measured load {Mib(report.RssAfterLoadKiB)}, after the pending challenges {Mib(report.RssAfterPendingKiB)}");
            Line($"- **peak (VmHWM) {Mib(report.PeakKiB)}**");
            var samples = report.Memory.Samples;
            if (samples.Count > 0)
            {
                Line($"- VmRSS sampled every 0.5 s: min {Mib(samples.Min(s => s.RssKiB))}, max {Mib(samples.Max(s => s.RssKiB))}, last {Mib(samples[^1].RssKiB)} ({samples.Count} samples)");
            }
        }

        md.AppendLine();
        Line($"## Scenarios not run");
        md.AppendLine();
        if (report.Unavailable.Count == 0)
        {
            Line($"None: every scenario of the mix ran.");
        }
        foreach (var (_, reason) in report.Unavailable.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            Line($"- {reason}");
        }
        if (report.WebhookEvents is { Count: > 0 } events)
        {
            md.AppendLine();
            Line($"Webhooks received: {string.Join(", ", events.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} {e.Value}"))}.");
        }
        return md.ToString();
    }

    private static void Errors(StringBuilder md, Recorder recorder)
    {
        var errors = recorder.Endpoints.SelectMany(e => e.Errors.Select(x => (e.Name, Error: x.Key, x.Value))).ToList();
        var failures = recorder.Scenarios.SelectMany(s => s.Failures.Select(f => (s.Name, Reason: f.Key, f.Value))).ToList();
        if (errors.Count == 0 && failures.Count == 0)
        {
            return;
        }
        md.AppendLine();
        md.AppendLine("Errors and failed lifecycles:");
        md.AppendLine();
        foreach (var (name, error, count) in errors)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- `{name}`: {error} × {count}");
        }
        foreach (var (name, reason, count) in failures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {name} lifecycle failed: {reason} × {count}");
        }
    }

    private static long RequestsOf(Recorder recorder, string scenario) => recorder.FindScenario(scenario)?.Requests ?? 0;

    private static string Ratio(long a, long b) => b == 0 ? "n/a" : ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Mib(long? kib) => kib is { } k ? (k / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "n/a";
}
