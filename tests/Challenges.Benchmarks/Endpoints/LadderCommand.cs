using System.Text;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks.Endpoints;

/// <summary>
/// The <c>ladder</c> command: the pipeline ladder alone, ending with <c>/health/live</c> of the running server at
/// <c>--url</c>, printed as the report's section. Takes the <c>load</c> command's options (--url, the wrk and ladder ones).
/// </summary>
internal static class LadderCommand
{
    public static async Task<int> MainAsync(IReadOnlyList<string> args)
    {
        // The ladder calls no API: the tenant options the load command needs do not matter here.
        if (await LoadOptions.ParseOrExplainAsync([.. args, "--tenant", "-", "--secret", "-"]) is not { } options)
        {
            return 2;
        }
        var wrk = new WrkSettings(options.Wrk ?? "wrk", options.WrkThreads, options.WrkConnections);
        var work = Directory.CreateTempSubdirectory("challenges-ladder-");
        try
        {
            var report = new LoadReport(options) { EndpointRunner = wrk.Describe() };
            var server = ServerMemory.Find(options.ServerPid, options.Url.Port);
            report.Ladder = await PipelineLadder.RunAsync(wrk, options.LadderDuration, options.LadderRounds, work.FullName,
                (options.Url, server?.Pid), Console.Error, CancellationToken.None);
            var md = new StringBuilder();
            EndpointReportWriter.WriteLadder(md, report);
            await Console.Out.WriteAsync(md.ToString());
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
