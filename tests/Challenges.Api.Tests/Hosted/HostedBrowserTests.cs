using System.Globalization;
using System.Net.Http.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.SdkCompatibility;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.Hosted;

/// <summary>
/// The hosted page in a real browser (tests/hosted-ui): Debian's Chromium driven by playwright-core, against the
/// server as an operating-system process on a real redis-server, with codes from a real webhook listener and push
/// answers from a device with its own key. Each node test file is one fact; node's report is the failure message.
/// Screenshots of every step (390 and 1280 px, light and dark) and the axe results land in tests/hosted-ui/artifacts.
/// Chromium is heavy on a 2-core machine, so these run on their own, after the parallel collections.
/// </summary>
[Collection(HostedBrowserCollection.Name)]
public sealed class HostedBrowserTests(HostedBrowserFixture fixture)
{
    [Fact]
    public Task SMS_WhatsApp_and_email_flows_with_wrong_codes_lock_out_start_again_resend_another_method_cancel_and_keyboard_only() =>
        AssertPasses("otp.test.mjs");

    [Fact]
    public Task Push_with_number_matching_approved_and_rejected_by_a_device_while_the_page_waits() => AssertPasses("push.test.mjs");

    [Fact]
    public Task Passkey_first_security_key_authenticator_app_with_its_QR_code_magic_link_and_recovery_codes_shown_once_and_redeemed() =>
        AssertPasses("methods.test.mjs");

    [Fact]
    public Task Expired_and_used_links_an_open_redirect_attempt_branding_and_headers() => AssertPasses("states.test.mjs");

    private async Task AssertPasses(string testFile)
    {
        var run = await fixture.RunAsync(testFile);
        NodeProcess.AssertPassed(run, $"node --test {testFile} against {fixture.Server.Url} (server output:\n{fixture.Server.Output})\n");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostedBrowserCollection : ICollectionFixture<HostedBrowserFixture>
{
    public const string Name = "Hosted page in Chromium";
}

/// <summary>
/// Once per class: <c>npm ci</c> in tests/hosted-ui, a redis-server, and the server process with a branded tenant and
/// a tenant with a tight send limit, whose webhooks go to the port the node tests listen on.
/// </summary>
public sealed class HostedBrowserFixture : IAsyncLifetime
{
    public const string Tenant = "hosted-ui";
    public const string SecretKey = "test-secret-key-hosted-ui-0123456789abcdef";

    /// <summary>
    /// A second tenant whose send limit (one code per user and number in a 20 s window, no cooldown of the page's own)
    /// the resend scenario runs into; its webhooks go to the same port.
    /// </summary>
    public const string LimitedTenant = "hosted-ui-limited";
    public const string LimitedSecretKey = "test-secret-key-hosted-ui-limited-0123456789";

    /// <summary>The first tenant's logo: the browser is served it by the tests (lib/browser.mjs), the page's CSP allows its origin.</summary>
    public const string LogoUrl = "https://static.example-bank.test/brand/logo.svg";

    private readonly int _publicPort = RedisServer.FreePort();
    private readonly int _webhookPort = RedisServer.FreePort();
    private readonly int _appPort = RedisServer.FreePort();
    private string _expiredToken = "";

    public RedisServer Redis { get; private set; } = null!;
    public ServerProcess Server { get; private set; } = null!;
    public string Directory { get; } = Path.Combine(Repository.Root, "tests", "hosted-ui");

    public async Task InitializeAsync()
    {
        var install = NodeProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], Directory,
            new Dictionary<string, string>(), TimeSpan.FromMinutes(3));
        Redis = new RedisServer();
        // localhost, not 127.0.0.1: the page's origin is a passkey origin of the tenant, and an RP ID is a host name.
        var publicUrl = $"http://localhost:{_publicPort}";
        var settings = new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = Redis.Configuration,
            ["Tokens:SigningKey"] = TestTenants.SigningKey,
            ["PublicUrl"] = publicUrl,
            ["Outbox:PollInterval"] = "00:00:00.050",
            ["Tenants:0:Id"] = Tenant,
            ["Tenants:0:SecretKeys:0"] = SecretKey,
            ["Tenants:0:WebhookUrl"] = $"http://127.0.0.1:{_webhookPort}/webhook",
            ["Tenants:0:Push:NumberMatching"] = "true",
            ["Tenants:0:Limits:StartsPerIpPerWindow"] = "1000",
            ["Tenants:0:HostedPage:DisplayName"] = "Example Bank",
            ["Tenants:0:HostedPage:PrimaryColor"] = "#0b6e4f",
            ["Tenants:0:HostedPage:ActionNames:signIn"] = "Sign in",
            ["Tenants:0:HostedPage:DefaultCallingCode"] = "64",
            ["Tenants:0:HostedPage:ResendCooldown"] = "00:00:03",
            ["Tenants:0:HostedPage:LogoUrl"] = LogoUrl,
            ["Tenants:0:Passkeys:RpId"] = "localhost",
            ["Tenants:0:Passkeys:RpName"] = "Example Bank",
            ["Tenants:0:Passkeys:Origins:0"] = publicUrl,
            ["Tenants:1:Id"] = LimitedTenant,
            ["Tenants:1:SecretKeys:0"] = LimitedSecretKey,
            ["Tenants:1:WebhookUrl"] = $"http://127.0.0.1:{_webhookPort}/webhook",
            ["Tenants:1:Limits:StartsPerIpPerWindow"] = "1000",
            ["Tenants:1:Limits:SmsSendsPerWindow"] = "1",
            ["Tenants:1:Limits:SendWindow"] = "00:00:20",
            ["Tenants:1:HostedPage:DisplayName"] = "Example Shop",
            ["Tenants:1:HostedPage:ResendCooldown"] = "00:00:00",
        };
        string[] methods = [.. VerificationMethods.Default, VerificationMethods.Passkey, VerificationMethods.SecurityKey, VerificationMethods.RecoveryCode];
        for (var m = 0; m < methods.Length; m++)
        {
            settings[$"Tenants:0:VerificationMethods:{m}"] = methods[m];
        }
        Server = await ServerProcess.StartAsync(settings, new ServerProcessOptions(VerboseLogs: false, ExtraPorts: [_publicPort]));
        _expiredToken = await IssueExpiredTokenAsync();

        var installed = await install;
        if (installed.ExitCode != 0)
        {
            throw new InvalidOperationException($"'npm ci' in {Directory} failed: playwright-core and axe-core could not be installed.\n{installed.Output}");
        }
    }

    public Task<NodeRun> RunAsync(string testFile) =>
        NodeProcess.RunAsync("node", ["--test", "--test-reporter=spec", "--test-timeout=120000", testFile], Directory,
            new Dictionary<string, string>
            {
                ["CHALLENGES_BASE_URL"] = $"http://127.0.0.1:{_publicPort}",
                ["CHALLENGES_PAGE_ORIGIN"] = $"http://localhost:{_publicPort}",
                ["CHALLENGES_TENANT_ID"] = Tenant,
                ["CHALLENGES_SECRET_KEY"] = SecretKey,
                ["CHALLENGES_LIMITED_SECRET_KEY"] = LimitedSecretKey,
                ["CHALLENGES_LOGO_URL"] = LogoUrl,
                ["CHALLENGES_WEBHOOK_PORT"] = _webhookPort.ToString(CultureInfo.InvariantCulture),
                ["CHALLENGES_APP_PORT"] = _appPort.ToString(CultureInfo.InvariantCulture),
                ["CHALLENGES_EXPIRED_TOKEN"] = _expiredToken,
                ["CHALLENGES_CHROMIUM"] = Chromium(),
                ["CHALLENGES_ARTIFACTS"] = Path.Combine(Directory, "artifacts"),
            }, TimeSpan.FromMinutes(8));

    /// <summary>Debian's Chromium (test.sh installs it); the tests never download a browser.</summary>
    public static string Chromium()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("'chromium' was not found: the hosted page tests drive Debian's Chromium ('apt-get install -y chromium'; ./test.sh installs it).");
    }

    /// <summary>
    /// A genuine token of a tracked action, signed with the server's key but issued an hour ago, so it has expired: the
    /// server's clock is the real one, and waiting out a token's lifetime is no test.
    /// </summary>
    private async Task<string> IssueExpiredTokenAsync()
    {
        var userId = ApiFixture.NewUserId();
        using var http = Server.Client(SecretKey);
        using (var tracked = await http.PostAsJsonAsync($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "expired-link" }))
        {
            tracked.EnsureSuccessStatusCode();
        }
        var options = Options.Create(new TokenOptions { SigningKey = TestTenants.SigningKey });
        var tokens = new TokenService(options, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1)),
            new SigningKeyProvider(options, NullLogger<SigningKeyProvider>.Instance));
        return tokens.Issue(Tenant, userId, "signIn", "expired-link", [Scopes.ReadAuthenticators]);
    }

    public async Task DisposeAsync()
    {
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
