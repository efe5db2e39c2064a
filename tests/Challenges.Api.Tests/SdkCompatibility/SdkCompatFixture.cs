using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

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

    /// <summary>The port of the page the browser tests serve; http://localhost on it is a passkey origin of tenants A and B.</summary>
    public int PagePort { get; } = RedisServer.FreePort();

    public string PageOrigin => $"http://localhost:{PagePort}";

    /// <summary>A genuine client token, past its lifetime, for an action of <see cref="ExpiredTokenUserId"/> that succeeded.</summary>
    public string ExpiredToken { get; private set; } = "";

    public string ExpiredTokenUserId { get; } = ApiFixture.NewUserId();

    public async Task InitializeAsync()
    {
        var install = NodeProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Directory,
            new Dictionary<string, string>(), TimeSpan.FromMinutes(3));

        Redis = new RedisServer();
        Server = new SdkServerFactory(Redis.Configuration, new Uri($"http://127.0.0.1:{WebhookPort}/webhook"), PageOrigin);
        Server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, ApiPort));
        Server.StartServer();

        ExpiredToken = await IssueExpiredTokenAsync();

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
            ["CHALLENGES_EXPIRED_TOKEN"] = ExpiredToken,
            ["CHALLENGES_EXPIRED_TOKEN_USER_ID"] = ExpiredTokenUserId,
            ["CHALLENGES_PAGE_PORT"] = PagePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return NodeProcess.RunAsync("node", ["--test", "--test-reporter=spec", "--test-timeout=30000", testFile], Directory,
            environment, TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// The server's clock is the real one, so an expired token cannot come from waiting: the action is tracked and
    /// marked CHALLENGE_SUCCEEDED over HTTP, and its token is issued by the server's own TokenService (same options and
    /// signing key) on a clock an hour in the past.
    /// </summary>
    private async Task<string> IssueExpiredTokenAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        var idempotencyKey = Guid.NewGuid().ToString();
        using (var tracked = await http.PostAsJsonAsync($"/v1/users/{ExpiredTokenUserId}/actions/signIn", new { idempotencyKey }))
        {
            tracked.EnsureSuccessStatusCode();
        }
        using (var succeeded = await http.PatchAsJsonAsync($"/v1/users/{ExpiredTokenUserId}/actions/signIn/{idempotencyKey}",
            new { state = "CHALLENGE_SUCCEEDED" }))
        {
            succeeded.EnsureSuccessStatusCode();
        }
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var tokens = new TokenService(Server.Services.GetRequiredService<IOptions<TokenOptions>>(), past,
            Server.Services.GetRequiredService<SigningKeyProvider>());
        return tokens.Issue(TestTenants.A, ExpiredTokenUserId, "signIn", idempotencyKey, [Scopes.ReadAuthenticators]);
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
        // Null when starting failed part way; xunit still disposes.
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
