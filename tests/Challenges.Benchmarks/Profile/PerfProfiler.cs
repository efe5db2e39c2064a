using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Challenges.Benchmarks.Profile;

/// <summary>
/// Records the server with Linux <c>perf</c> while each endpoint stage runs (call stacks, all its threads) and turns
/// each recording into a <see cref="PerfSummary"/>. The server must run with <c>DOTNET_PerfMapEnabled=1</c> and
/// <c>DOTNET_EnableWriteXorExecute=0</c>, so that perf can name the JIT-compiled methods.
/// </summary>
internal sealed class PerfProfiler(int serverPid, string directory, int frequency = 499)
{
    private readonly List<PerfSummary> _summaries = [];

    public IReadOnlyList<PerfSummary> Summaries => _summaries;

    /// <summary>Starts recording; disposing the result stops it and summarises what was recorded.</summary>
    public async Task<IAsyncDisposable> StartAsync(string stage)
    {
        var file = Path.Combine(directory, new string([.. stage.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]) + ".perf.data");
        var record = Start(drain: true, "perf", "record", "-F", Invariant(frequency), "-g", "-p", Invariant(serverPid), "-o", file);
        // perf prints nothing until it stops; give it a moment to attach before the load starts.
        await Task.Delay(300);
        return new Recording(this, stage, file, record);
    }

    private sealed class Recording(PerfProfiler owner, string stage, string file, Process record) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using (record)
            {
                using var interrupt = Start(drain: true, "kill", "-INT", Invariant(record.Id));
                await interrupt.WaitForExitAsync();
                await record.WaitForExitAsync();
            }
            using var script = Start(drain: false, "perf", "script", "-i", file);
            var summary = await PerfSummary.ReadAsync(stage, script.StandardOutput);
            await script.WaitForExitAsync();
            owner._summaries.Add(summary);
        }
    }

    public string Write()
    {
        var md = new StringBuilder();
        md.AppendLine("# Where the server's time goes");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`perf record -F {frequency} -g` on the server process while each wrk stage of run.sh ran (PROFILE=1), summarised by the benchmark's PerfSummary; the recordings are kept in `{Path.GetFileName(directory)}/` for `perf report -i`. The rates of a profiled run are lowered by perf itself; take rates from a run without it.");
        foreach (var summary in _summaries)
        {
            md.AppendLine();
            summary.Write(md);
        }
        return md.ToString();
    }

    /// <summary>Starts a tool; its error output is dropped, and so is its standard output when <paramref name="drain"/>.</summary>
    private static Process Start(bool drain, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        if (drain)
        {
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
        }
        return process;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
