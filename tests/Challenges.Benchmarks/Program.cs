using BenchmarkDotNet.Running;
using Challenges.Benchmarks.Load;

// Two tools in one project: the load generator against a running server, and the micro-benchmarks.
switch (args.FirstOrDefault())
{
    case "load":
        return await LoadCommand.MainAsync(args[1..]);
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(LoadCommand).Assembly).Run(args[1..]);
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: Challenges.Benchmarks load ... | micro [BenchmarkDotNet arguments]\n\n" + LoadOptions.Usage);
        return 2;
}
