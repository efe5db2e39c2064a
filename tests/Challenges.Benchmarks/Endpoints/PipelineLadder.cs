using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Challenges.Benchmarks.Bare;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// Measures <c>GET /health/live</c> on each stage of <see cref="BareServer"/>, from bare Kestrel to the server's whole
/// middleware pipeline, each in a process of its own (this program's <c>bare</c> command), and on the server itself,
/// with the same wrk flags. All the processes run side by side; each round measures every one of them in turn, in an
/// order that shifts from round to round, and a stage's figures are the medians of its rounds, so that other work
/// coming and going on a shared machine falls on every stage alike.
/// </summary>
internal static class PipelineLadder
{
    /// <summary>Each process is new: long enough for tiered compilation to settle, whose CPU would count as the layer's.</summary>
    private static readonly TimeSpan MinimumWarmUp = TimeSpan.FromSeconds(5);

    public const string ServerStage = "server";

    public static async Task<IReadOnlyList<LadderStep>> RunAsync(WrkSettings wrk, TimeSpan duration, int rounds, string workDirectory,
        (Uri Url, int? Pid)? server, TextWriter log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(log);
        var targets = new List<Target>();
        try
        {
            foreach (var (name, adds) in BareServer.Stages)
            {
                var port = FreePort();
                var child = Start(name, port);
                targets.Add(new Target(name, adds, new Uri($"http://127.0.0.1:{port}"), child.Id, child));
                await WaitUntilServingAsync(name, targets[^1].Url, child, cancel);
            }
            if (server is { } s)
            {
                targets.Add(new Target(ServerStage, "the whole server: every feature's routes, the store, background workers", s.Url, s.Pid, null));
            }
            var warmUp = duration > MinimumWarmUp ? duration : MinimumWarmUp;
            foreach (var target in targets)
            {
                await new WrkRunner(wrk, target.Url, workDirectory).RunAsync(Live(target), warmUp, cancel);
            }
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < targets.Count; i++)
                {
                    var target = targets[(i + round) % targets.Count];
                    var runner = new WrkRunner(wrk, target.Url, workDirectory);
                    var result = await ProcessCpu.MeasureAsync(target.Pid, () => runner.RunAsync(Live(target), duration, cancel));
                    target.Rounds.Add(result);
                    await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round + 1}, {target.Stage}: {result.RequestsPerSecond:0} req/s, {result.CpuMicrosPerRequest:0.0} µs CPU per request"));
                }
            }
            return [.. targets.Select(t => new LadderStep(t.Stage, t.Adds, Median(t.Rounds)))];
        }
        finally
        {
            foreach (var child in targets.Select(t => t.Process).OfType<Process>())
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None);
                child.Dispose();
            }
        }
    }

    private static EndpointStage Live(Target target) =>
        new($"{target.Stage}: {EndpointNames.Baseline}", [BenchRequest.Get("/health/live")], Cycle: true, "\"Healthy\"");

    /// <summary>The round with the median rate, and the median CPU per request of all rounds beside it.</summary>
    private static StageResult Median(List<StageResult> rounds)
    {
        var byRate = rounds.OrderBy(r => r.RequestsPerSecond).ToList();
        var cpu = rounds.Select(r => r.CpuMicrosPerRequest).OfType<double>().Order().ToList();
        var middle = byRate[byRate.Count / 2];
        return cpu.Count == 0 || middle.Ok == 0 ? middle : middle with { ServerCpuSeconds = cpu[cpu.Count / 2] * middle.Ok / 1e6 };
    }

    /// <summary>This program again, with <c>bare</c>: through <c>dotnet</c> when that is how it runs.</summary>
    private static Process Start(string stage, int port)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark's own path is unknown.");
        var start = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // The server runs with the runtime's default concurrent GC; this program turns it off for itself.
        start.Environment["DOTNET_gcConcurrent"] = "1";
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BareServer).Assembly.Location);
        }
        foreach (var argument in (string[])["bare", "--stage", stage, "--port", port.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the bare server.");
        process.OutputDataReceived += (_, e) => Keep(stage, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(stage, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The last lines each stage's process wrote, for the error when it fails to start.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> LastOutput = new(StringComparer.Ordinal);

    private static void Keep(string stage, string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            LastOutput.AddOrUpdate(stage, line, (_, before) => (before + "\n" + line)[^Math.Min(before.Length + line.Length + 1, 2000)..]);
        }
    }

    private static async Task WaitUntilServingAsync(string stage, Uri url, Process child, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (child.HasExited)
            {
                throw new InvalidOperationException(
                    $"The bare server ({stage}) exited during start-up (exit {child.ExitCode}): {LastOutput.GetValueOrDefault(stage)}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative), cancel);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200, cancel);
        }
        throw new InvalidOperationException("The bare server did not come up in 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Target(string Stage, string Adds, Uri Url, int? Pid, Process? Process)
    {
        public List<StageResult> Rounds { get; } = [];
    }
}

/// <summary>One stage of the ladder: what it adds to the one before, and its figures (medians of the rounds).</summary>
internal sealed record LadderStep(string Stage, string Adds, StageResult Result);
