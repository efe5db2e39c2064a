using BenchmarkDotNet.Running;
using Challenges.Benchmarks.Bare;
using Challenges.Benchmarks.Endpoints;
using Challenges.Benchmarks.Load;
using Challenges.Benchmarks.Profile;

namespace Challenges.Benchmarks;

/// <summary>
/// The benchmark tools in one project: the load generator and endpoint benchmark against a running server (<c>load</c>),
/// a bare Kestrel server with the server's pipeline up to a stage (<c>bare</c>), the ladder of those stages alone
/// (<c>ladder</c>), a summary of kept perf recordings (<c>perf-summary</c>), and the micro-benchmarks (<c>micro</c>).
/// Not top-level statements: their global <c>Program</c> would clash with the server's in the tests.
/// </summary>
internal static class BenchmarksMain
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "load":
                return await LoadCommand.MainAsync(args[1..]);
            case "bare":
                return await BareServer.MainAsync(args[1..]);
            case "ladder":
                return await LadderCommand.MainAsync(args[1..]);
            case "perf-summary":
                return await PerfSummaryCommand.MainAsync(args[1..]);
            case "micro":
                // In process: the out-of-process toolchain builds a generated project that inherits this repository's
                // central package management and does not get BenchmarkDotNet (not passed on, see the csproj).
                var micro = args[1..];
                BenchmarkSwitcher.FromAssembly(typeof(BenchmarksMain).Assembly)
                    .Run(micro.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? micro : [.. micro, "--inProcess"]);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: Challenges.Benchmarks load ... | bare [--stage S] [--port P] | ladder --url URL [--wrk-...] | perf-summary FILE... | micro [BenchmarkDotNet arguments]\n\n" + LoadOptions.Usage);
                return 2;
        }
    }
}
