using System.Diagnostics;
using System.Text;

namespace Challenges.Benchmarks.Profile;

/// <summary>The <c>perf-summary</c> command: summarises perf recordings kept by a profiled run (perf.data files).</summary>
internal static class PerfSummaryCommand
{
    public static async Task<int> MainAsync(IReadOnlyList<string> files)
    {
        if (files.Count == 0)
        {
            await Console.Error.WriteLineAsync("usage: perf-summary FILE.perf.data...");
            return 2;
        }
        var md = new StringBuilder();
        foreach (var file in files)
        {
            var start = new ProcessStartInfo("perf") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["script", "-i", file])
            {
                start.ArgumentList.Add(argument);
            }
            using var script = Process.Start(start) ?? throw new InvalidOperationException("Could not start perf.");
            script.ErrorDataReceived += (_, _) => { };
            script.BeginErrorReadLine();
            var summary = await PerfSummary.ReadAsync(Path.GetFileName(file), script.StandardOutput);
            await script.WaitForExitAsync();
            summary.Write(md);
            md.AppendLine();
        }
        await Console.Out.WriteAsync(md.ToString());
        return 0;
    }
}
