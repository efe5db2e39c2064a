using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// Runs a stage with <c>wrk</c> and the Lua harness beside this file (see its header for the protocol): the requests go
/// to a file, wrk sends them with its own connections and threads, and its result lines are read back.
/// </summary>
internal sealed class WrkRunner(WrkSettings settings, Uri server, string workDirectory) : IStageRunner
{
    private const string ResultLine = "challenges-result\t";
    private const string BadLine = "challenges-bad\t";

    private static string Harness => Path.Combine(AppContext.BaseDirectory, "Endpoints", "harness.lua");

    public string Description => settings.Describe();

    public async Task<StageResult> RunAsync(EndpointStage stage, TimeSpan duration, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.Requests.Count == 0)
        {
            return new StageResult(stage.Name, 0, 0, 0, null, [], _ => false, "no requests: the stage before produced nothing");
        }
        var file = Path.Combine(workDirectory, Slug(stage.Name));
        await File.WriteAllLinesAsync(file + ".requests", stage.Requests.Select(r => r.ToLine()), cancel);
        var captureFile = stage.Capture is null ? "" : file + ".captured";
        var seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
        var start = new ProcessStartInfo(settings.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "-t", Invariant(settings.Threads), "-c", Invariant(settings.Connections), "-d", $"{Invariant(seconds)}s",
            "--timeout", $"{Invariant(settings.TimeoutSeconds)}s", "-s", Harness, server.GetLeftPart(UriPartial.Authority), "--",
            file + ".requests", stage.Cycle ? "cycle" : "once", stage.Expect, stage.Capture ?? "", captureFile, Invariant(settings.Threads)])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {settings.Path}.");
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var errors = new StringBuilder();
        var exhausted = 0;
        while (await process.StandardError.ReadLineAsync(cancel) is { } line)
        {
            if (line != "challenges-exhausted")
            {
                errors.AppendLine(line);
            }
            else if (++exhausted == settings.Threads)
            {
                // Every thread has sent its share and seen every answer; wrk would otherwise sleep out its duration.
                await InterruptAsync(process.Id);
            }
        }
        await process.WaitForExitAsync(cancel);
        var text = await output;
        var result = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultLine, StringComparison.Ordinal));
        if (process.ExitCode != 0 || result is null)
        {
            throw new InvalidOperationException($"wrk failed on {stage.Name} (exit {process.ExitCode}): {errors}{text}");
        }
        var firstBad = text.Split('\n').FirstOrDefault(l => l.StartsWith(BadLine, StringComparison.Ordinal))?[BadLine.Length..];
        var captured = captureFile.Length > 0 && File.Exists(captureFile) ? await File.ReadAllLinesAsync(captureFile, cancel) : [];
        return Parse(stage.Name, result[ResultLine.Length..], captured, firstBad);
    }

    internal static StageResult Parse(string name, string json, IReadOnlyList<string> captured, string? firstBad)
    {
        using var document = JsonDocument.Parse(json);
        var r = document.RootElement;
        long Get(string field) => r.GetProperty(field).GetInt64();
        var sent = r.GetProperty("sent").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var (first, last) = (Get("first"), Get("last"));
        var latency = new Latency(r.GetProperty("meanUs").GetDouble(), Get("p50Us"), Get("p90Us"), Get("p99Us"), Get("maxUs"));
        var timeouts = Get("timeouts") + Get("connectErrors") + Get("readErrors") + Get("writeErrors");
        return new StageResult(name, Get("ok"), Get("bad") + timeouts, last > first ? (last - first) / 1e6 : 0, latency, captured,
            index => sent.Length > 0 && sent[index % sent.Length] > index / sent.Length,
            timeouts > 0 ? $"{timeouts} socket errors or timeouts; {firstBad}" : firstBad);
    }

    private static async Task InterruptAsync(int pid)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false };
        kill.ArgumentList.Add("-INT");
        kill.ArgumentList.Add(Invariant(pid));
        using var process = Process.Start(kill);
        if (process is not null)
        {
            await process.WaitForExitAsync();
        }
    }

    private static string Slug(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')]);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>How wrk is run: the same flags for every stage, the baseline's included.</summary>
internal sealed record WrkSettings(string Path, int Threads, int Connections, int TimeoutSeconds = 5)
{
    public string Describe() => $"`wrk -t {Threads} -c {Connections} --timeout {TimeoutSeconds}s` with the Lua harness Endpoints/harness.lua";
}
