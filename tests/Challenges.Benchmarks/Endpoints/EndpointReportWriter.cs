using System.Globalization;
using System.Text;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>The report's wrk sections: endpoint rates beside /health/live, the generator check and the pipeline ladder.</summary>
internal static class EndpointReportWriter
{
    /// <summary>Every hot endpoint should reach this share of /health/live's rate.</summary>
    public const double Budget = 0.4;

    public static void Write(StringBuilder md, LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(md);
        ArgumentNullException.ThrowIfNull(report);
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        var o = report.Options;

        md.AppendLine();
        Line($"## Endpoint throughput (wrk)");
        md.AppendLine();
        var baseline = report.Endpoints?.FirstOrDefault(s => s.Name == EndpointNames.Baseline)?.RequestsPerSecond ?? 0;
        if (report.Endpoints is not { Count: > 0 } stages)
        {
            Line($"Not measured: {report.EndpointsSkipped ?? "run with `--wrk wrk` (run.sh does when wrk is installed: `apt-get install -y wrk`)"}.");
        }
        else
        {
            Line($"{report.EndpointRunner}, {o.WrkDuration.TotalSeconds:0.#} s per endpoint, {o.WrkUsers} SMS and {Math.Max(o.WrkUsers, o.WrkPushUsers)} push users (one push each: a newer push to a device supersedes the one before). Each endpoint runs alone, its requests prepared by the stages before it (tokens from track, codes from the SMS webhooks, challenges signed ahead by the devices' keys, access tokens from verify and poll); read-only endpoints repeat theirs, the others spend each prepared request once and may finish sooner. A request counts when it answers 200 with the expected body; `× live` = the endpoint's requests/s ÷ wrk's `/health/live` in this run; the budget is {Budget:0.0}×. `CPU µs` = the server process's CPU time (all its threads) per counted request, and `CPU × live` = /health/live's CPU µs ÷ the endpoint's: the same ratio measured as cost, far less disturbed by other work on the machine than requests/s. `Redis` = commands the server sent per request, from the MONITOR probe below, and `round trips` = the most times one of its requests waited for Redis (the server's own count, below). Times in ms.");
            if (report.ProfiledTo is not null)
            {
                md.AppendLine();
                Line($"**Profiled run**: perf sampled the server during every stage (see {Path.GetFileName(report.ProfiledTo)}), which lowers these rates.");
            }
            md.AppendLine();
            var baselineCpu = stages.FirstOrDefault(s => s.Name == EndpointNames.Baseline)?.CpuMicrosPerRequest;
            Line($"| endpoint | req/s | × live | ≥ {Budget:0.0}× | CPU µs | CPU × live | ok | not ok | seconds | mean | p50 | p90 | p99 | max | Redis | round trips |");
            Line($"|---|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var s in stages)
            {
                var ratio = baseline > 0 ? s.RequestsPerSecond / baseline : 0;
                var cpuRatio = baselineCpu is { } b && s.CpuMicrosPerRequest is { } c && c > 0 ? (b / c).ToString("0.00", CultureInfo.InvariantCulture) : "";
                var l = s.Latency;
                var redis = report.RoundTrips?.FirstOrDefault(r => r.Endpoint == s.Name) is { } r ? r.ServerPerRequest.ToString("0.##", CultureInfo.InvariantCulture) : "";
                var trips = report.ServerRoundTrips?.GetValueOrDefault(ServerRoundTrips.RouteOf(s.Name)) is { } h ? h.Max.ToString("0", CultureInfo.InvariantCulture) : "";
                Line($"| `{s.Name}` | {s.RequestsPerSecond:0} | {ratio:0.00} | {(s.Name == EndpointNames.Baseline ? "" : ratio >= Budget ? "yes" : "**no**")} | {s.CpuMicrosPerRequest:0} | {cpuRatio} | {s.Ok} | {s.Bad} | {s.Seconds:0.0} | {Ms(l?.MeanUs)} | {Ms(l?.P50Us)} | {Ms(l?.P90Us)} | {Ms(l?.P99Us)} | {Ms(l?.MaxUs)} | {redis} | {trips} |");
            }
            var bad = stages.Where(s => s.FirstBad is not null).ToList();
            if (bad.Count > 0)
            {
                md.AppendLine();
                Line($"First answer not counted, per endpoint:");
                md.AppendLine();
                foreach (var s in bad)
                {
                    Line($"- `{s.Name}`: {s.FirstBad}");
                }
            }
        }
        WriteCheck(md, report, baseline);
        WriteLadder(md, report);
    }

    private static void WriteCheck(StringBuilder md, LoadReport report, double wrkRate)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        md.AppendLine();
        Line($"## Generator check");
        md.AppendLine();
        if (report.GeneratorCheck is not { } check || wrkRate <= 0)
        {
            Line($"Not measured (it needs the wrk table).");
            return;
        }
        var rate = check.TotalRequests / Math.Max(check.Elapsed.TotalSeconds, 1e-9);
        var share = rate / wrkRate;
        Line($"`GET /health/live` in this run: wrk {wrkRate:0} req/s with {report.Options.WrkConnections} connections; the .NET generator alone {rate:0} req/s with as many virtual users ({share:0%} of wrk).");
        md.AppendLine();
        Line($"{(share >= 0.8
            ? "The generator keeps up with wrk: its sections below measure the server."
            : "The generator is the bottleneck: its sections below (lifecycles, latencies under load, half-rate p99) are bounded by the generator's own cost and share the CPUs with the server; the wrk table above is the server's throughput.")}");
    }

    public static void WriteLadder(StringBuilder md, LoadReport report)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        md.AppendLine();
        Line($"## From bare Kestrel to /health/live");
        md.AppendLine();
        if (report.Ladder is not { Count: > 0 } ladder)
        {
            Line($"Not measured (run with `--wrk wrk --ladder`).");
            return;
        }
        Line($"`GET /health/live` with the same wrk flags on this program's `bare` command, one process per stage, each stage adding one layer of the server's pipeline to the one before; the last row is the server itself. All run side by side and are measured in turn, {report.Options.LadderRounds} rounds of {report.Options.LadderDuration.TotalSeconds:0.#} s in a shifting order; the figures are medians. `CPU µs` = the serving process's CPU time per request (wrk's not included); `added` = its growth over the row before: what that layer costs per request.");
        md.AppendLine();
        Line($"| stage | adds | req/s | × raw | CPU µs | added CPU µs |");
        Line($"|---|---|---:|---:|---:|---:|");
        var rows = ladder.Select(s => (s.Stage, s.Adds, s.Result)).ToList();
        var raw = rows[0].Result.RequestsPerSecond;
        double? previous = null;
        foreach (var (stage, adds, result) in rows)
        {
            var cpu = result.CpuMicrosPerRequest;
            var added = previous is { } p && cpu is { } c ? (c - p).ToString("+0.0;-0.0", CultureInfo.InvariantCulture) : "";
            Line($"| {stage} | {adds} | {result.RequestsPerSecond:0} | {(raw > 0 ? result.RequestsPerSecond / raw : 0):0.00} | {cpu:0.0} | {added} |");
            previous = cpu;
        }
    }

    private static string Ms(double? micros) => micros is { } m ? (m / 1000).ToString("0.00", CultureInfo.InvariantCulture) : "";
}
