using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Operations;

/// <summary>The device CLI ships as a .NET tool: packed, installed into a tool path, and run by its command name.</summary>
public sealed class DeviceToolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("challenges-tool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_device_cli_installs_as_a_dotnet_tool_and_runs_by_its_command_name()
    {
        var packages = Path.Combine(_directory, "packages");
        var tools = Path.Combine(_directory, "tools");
        // The test run has just built the Debug binaries: pack those.
        var packed = await CommandLine.RunAsync("dotnet",
            ["pack", Repository.PathOf("src", "Challenges.Device", "Challenges.Device.csproj"), "--no-build", "-c", "Debug", "-o", packages]);
        Assert.True(packed.Exit == 0, packed.Output);

        var installed = await CommandLine.RunAsync("dotnet",
            ["tool", "install", "Challenges.Device", "--tool-path", tools, "--add-source", packages, "--ignore-failed-sources"]);
        Assert.True(installed.Exit == 0, installed.Output);

        var help = await CommandLine.RunAsync(Path.Combine(tools, "challenges-device"), ["--help"]);
        Assert.True(help.Exit == 0, help.Output);
        Assert.Contains("approve", help.Output, StringComparison.Ordinal);
        Assert.Contains("CHALLENGES_KEY_FILE", help.Output, StringComparison.Ordinal);
    }
}
