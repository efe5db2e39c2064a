using System.Globalization;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// CPU time a process has used so far (user + system, from <c>/proc/&lt;pid&gt;/stat</c>, Linux). Divided by the requests
/// of a stage it gives the server's CPU per request, which other work on a shared machine disturbs far less than
/// requests per second.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>The kernel's clock ticks per second for these counters (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public static double? Seconds(int? pid)
    {
        if (pid is not { } p)
        {
            return null;
        }
        try
        {
            var stat = File.ReadAllText($"/proc/{p}/stat");
            // The command name (field 2) may hold spaces; it ends at the last ')'. utime and stime are fields 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Runs <paramref name="stage"/> and adds the CPU the process used meanwhile to its result.</summary>
    public static async Task<StageResult> MeasureAsync(int? pid, Func<Task<StageResult>> stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var before = Seconds(pid);
        var result = await stage();
        return Seconds(pid) - before is { } used ? result with { ServerCpuSeconds = used } : result;
    }
}
