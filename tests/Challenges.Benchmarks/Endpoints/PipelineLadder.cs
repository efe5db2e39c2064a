using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Challenges.Benchmarks.Bare;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// Measures <c>GET /health/live</c> on each stage of <see cref="BareServer"/>, from bare Kestrel to the server's whole
/// middleware pipeline, each in a process of its own (this program's <c>bare</c> command) with the same wrk flags.
/// </summary>
internal static class PipelineLadder
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public static async Task<IReadOnlyList<LadderStep>> RunAsync(WrkSettings wrk, TimeSpan duration, string workDirectory, TextWriter log,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(log);
        var steps = new List<LadderStep>();
        foreach (var (name, adds) in BareServer.Stages)
        {
            var port = FreePort();
            using var child = Start(name, port);
            try
            {
                var url = new Uri($"http://127.0.0.1:{port}");
                await WaitUntilServingAsync(url, child, cancel);
                var runner = new WrkRunner(wrk, url, workDirectory);
                var stage = new EndpointStage($"bare {name}: {EndpointNames.Baseline}", [BenchRequest.Get("/health/live")], Cycle: true, "\"Healthy\"");
                await runner.RunAsync(stage, WarmUp, cancel);
                var result = await ProcessCpu.MeasureAsync(child.Id, () => runner.RunAsync(stage, duration, cancel));
                await log.WriteLineAsync($"  bare {name}: {result.RequestsPerSecond:0} req/s, {result.CpuMicrosPerRequest:0} µs CPU per request");
                steps.Add(new LadderStep(name, adds, result));
            }
            finally
            {
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync(CancellationToken.None);
            }
        }
        return steps;
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
        foreach (var argument in (string[])["bare", "--stage", stage, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the bare server.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServingAsync(Uri url, Process child, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (child.HasExited)
            {
                throw new InvalidOperationException($"The bare server exited during start-up (exit {child.ExitCode}).");
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
}

/// <summary>One stage of the ladder: what it adds to the one before, and its rate.</summary>
internal sealed record LadderStep(string Stage, string Adds, StageResult Result);
