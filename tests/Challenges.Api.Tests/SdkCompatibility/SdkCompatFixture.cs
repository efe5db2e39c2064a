using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.SdkCompatibility;

/// <summary>
/// Once per test class: <c>npm ci</c> in tests/sdk-compat (the official SDK packages at the versions of its lock file),
/// a real redis-server, and the API listening on a free loopback port for node to call.
/// </summary>
public sealed class SdkCompatFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public SdkServerFactory Server { get; private set; } = null!;
    public string Directory { get; } = FindSdkCompatDirectory();
    public int ApiPort { get; } = RedisServer.FreePort();

    /// <summary>The port the tenants' WebhookUrl points at; the node tests that need webhooks listen on it.</summary>
    public int WebhookPort { get; } = RedisServer.FreePort();

    public string BaseUrl => $"http://127.0.0.1:{ApiPort}";

    public async Task InitializeAsync()
    {
        var install = NodeProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Directory,
            new Dictionary<string, string>(), TimeSpan.FromMinutes(3));

        Redis = new RedisServer();
        Server = new SdkServerFactory(Redis.Configuration, new Uri($"http://127.0.0.1:{WebhookPort}/webhook"));
        Server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, ApiPort));
        Server.StartServer();

        var installed = await install;
        if (installed.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'npm ci' in {Directory} failed{(installed.TimedOut ? " (timed out)" : $" with exit code {installed.ExitCode}")}: " +
                "the official SDK packages could not be installed from the npm registry.\n" + installed.Output);
        }
    }

    /// <summary>Runs one node test file against the server with the tenant's details in the environment.</summary>
    public Task<NodeRun> RunAsync(string testFile, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["CHALLENGES_BASE_URL"] = BaseUrl,
            ["CHALLENGES_TENANT_ID"] = TestTenants.A,
            ["CHALLENGES_SECRET_KEY"] = TestTenants.AKey,
            ["CHALLENGES_SECRET_KEY_ROTATED"] = TestTenants.AKeyRotated,
            ["CHALLENGES_WEBHOOK_PORT"] = WebhookPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return NodeProcess.RunAsync("node", ["--test", "--test-reporter=spec", "--test-timeout=30000", testFile], Directory,
            environment, TimeSpan.FromSeconds(90));
    }

    private static string FindSdkCompatDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "sdk-compat");
            if (File.Exists(Path.Combine(candidate, "package-lock.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"tests/sdk-compat was not found above {AppContext.BaseDirectory}.");
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
