using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Challenges.Api.Tests.SdkCompatibility;

/// <summary>The end of a node or npm run: its exit code and everything it wrote, in order.</summary>
public sealed record NodeRun(int ExitCode, string Output, bool TimedOut);

/// <summary>Runs <c>node</c> and <c>npm</c> as child processes; without them the SDK tests fail saying how to get them.</summary>
public static class NodeProcess
{
    public static string Executable(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException(
            $"'{name}' was not found on the PATH. The official SDK compatibility tests drive the server with Authsignal's npm " +
            "packages and need Node.js 20 or later with npm (e.g. 'apt-get install -y nodejs npm', or the Node.js 20 tarball " +
            "from nodejs.org on the PATH).");
    }

    public static async Task<NodeRun> RunAsync(string executable, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Executable(executable))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["NO_COLOR"] = "1";
        info.Environment["FORCE_COLOR"] = "0";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new NodeRun(-1, Text(output), TimedOut: true);
        }
        // The parameterless wait also drains the redirected output.
        await process.WaitForExitAsync();
        return new NodeRun(process.ExitCode, Text(output), TimedOut: false);
    }

    /// <summary>
    /// A <c>node --test --test-reporter=spec</c> run exited 0 and its summary says some tests passed and none were
    /// skipped (exit code 0 also means "no tests found"). <paramref name="what"/> names the run in the failure.
    /// </summary>
    public static void AssertPassed(NodeRun run, string what)
    {
        ArgumentNullException.ThrowIfNull(run);
        Assert.True(run.ExitCode == 0, $"{what} " + (run.TimedOut ? "timed out" : $"exited with {run.ExitCode}") + ":\n" + run.Output);
        var passed = Regex.Match(run.Output, @"^ℹ pass (\d+)$", RegexOptions.Multiline);
        var skipped = Regex.Match(run.Output, @"^ℹ skipped (\d+)$", RegexOptions.Multiline);
        Assert.True(passed.Success && int.Parse(passed.Groups[1].Value, CultureInfo.InvariantCulture) > 0 &&
            skipped.Success && skipped.Groups[1].Value == "0", $"{what} passed nothing, or skipped some:\n{run.Output}");
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
