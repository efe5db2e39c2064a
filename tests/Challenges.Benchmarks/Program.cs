using BenchmarkDotNet.Running;
using Challenges.Benchmarks.Bare;
using Challenges.Benchmarks.Load;

namespace Challenges.Benchmarks;

/// <summary>
/// Three tools in one project: the load generator and endpoint benchmark against a running server (<c>load</c>), a bare
/// Kestrel server to compare the server's pipeline with (<c>bare</c>), and the micro-benchmarks (<c>micro</c>). Not top-level statements: their global <c>Program</c> would clash with the server's in the tests.
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
            case "micro":
                // In process: the out-of-process toolchain builds a generated project that inherits this repository's
                // central package management and does not get BenchmarkDotNet (not passed on, see the csproj).
                var micro = args[1..];
                BenchmarkSwitcher.FromAssembly(typeof(BenchmarksMain).Assembly)
                    .Run(micro.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? micro : [.. micro, "--inProcess"]);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: Challenges.Benchmarks load ... | bare [--stage S] [--port P] | micro [BenchmarkDotNet arguments]\n\n" + LoadOptions.Usage);
                return 2;
        }
    }
}
