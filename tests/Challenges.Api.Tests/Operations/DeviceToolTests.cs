using System.Diagnostics;

namespace Challenges.Api.Tests.Operations;

/// <summary>The device CLI ships as a .NET tool: packed, installed into a tool path, and run by its command name.</summary>
public sealed class DeviceToolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("challenges-tool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Challenges.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Challenges.sln not found above the test binaries.");
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task The_device_cli_installs_as_a_dotnet_tool_and_runs_by_its_command_name()
    {
        var packages = Path.Combine(_directory, "packages");
        var tools = Path.Combine(_directory, "tools");
        // The test run has just built the Debug binaries: pack those.
        var packed = await RunAsync("dotnet", "pack", Path.Combine(RepositoryRoot(), "src", "Challenges.Device", "Challenges.Device.csproj"),
            "--no-build", "-c", "Debug", "-o", packages);
        Assert.True(packed.Exit == 0, packed.Output);

        var installed = await RunAsync("dotnet", "tool", "install", "Challenges.Device", "--tool-path", tools, "--add-source", packages,
            "--ignore-failed-sources");
        Assert.True(installed.Exit == 0, installed.Output);

        var help = await RunAsync(Path.Combine(tools, "challenges-device"), "--help");
        Assert.True(help.Exit == 0, help.Output);
        Assert.Contains("approve", help.Output, StringComparison.Ordinal);
        Assert.Contains("CHALLENGES_KEY_FILE", help.Output, StringComparison.Ordinal);
    }
}
