using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Operations;

/// <summary>
/// The server as a service manager starts it: a real process, configured by environment variables, started from any
/// directory. A configuration it refuses prints each problem once, on one line naming the key, and exits with 1.
/// </summary>
public sealed class StartupTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly WebhookListener _webhooks = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _webhooks.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra) =>
        ProcessSettings.For(_redis.Configuration, _webhooks.Url, extra);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_server_started_from_another_directory_reads_its_own_settings()
    {
        var elsewhere = Directory.CreateTempSubdirectory("challenges-cwd-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(Settings(), new ServerProcessOptions(WorkingDirectory: elsewhere, VerboseLogs: false));
            using var client = server.Client(TestTenants.AKey);
            for (var i = 0; i < 5; i++)
            {
                await client.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();
            }
            server.Kill();

            // appsettings.json beside the binaries keeps ASP.NET Core's per-request logs at Warning; without it they
            // would be written at Information, one pair per request.
            Assert.DoesNotContain("Request starting", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Request finished", server.Output, StringComparison.Ordinal);
            // The server's own Information lines are there, and name the Redis it uses.
            Assert.Contains($"Store: Redis at {_redis.Configuration} (Redis__Configuration)", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_started_from_another_directory_keeps_the_per_request_diagnostics_off()
    {
        var elsewhere = Directory.CreateTempSubdirectory("challenges-cwd-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(Settings(), new ServerProcessOptions(WorkingDirectory: elsewhere, VerboseLogs: false));
            var phone = Otp.OtpKit.NewPhone();
            await Otp.OtpKit.PasswordlessSmsAsync(server.Client(TestTenants.AKey), _webhooks, phone);

            // The hosting layer makes a trace object for each request only for its per-request log category
            // (appsettings.json beside the binaries turns it off) or for a trace exporter (none here). Without one
            // there is no trace context, so the webhook sent while answering carries none.
            var webhook = _webhooks.Received.Single(r => Otp.OtpKit.IsDelivery(r, "sms.created", phone));
            Assert.Null(webhook.Header("traceparent"));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public async Task A_refused_configuration_prints_each_problem_once_on_one_line_and_exits_1()
    {
        var settings = Settings(("Redis:Configuration", ""), ("Tokens:SigningKey", "too-short"));
        settings.Remove("Tenants:0:WebhookUrl");

        var refusal = await ServerProcess.RefuseAsync(settings);

        Assert.Equal(1, refusal.ExitCode);
        string[] expected =
        [
            "Configuration refused: Redis__Configuration is empty",
            "Configuration refused: Tokens__SigningKey must be at least 32 bytes.",
            "Configuration refused: Tenants__0__Delivery__Sms is Webhook but Tenants__0__WebhookUrl is empty",
            "Configuration refused: Tenants__0__Delivery__WhatsApp is Webhook but Tenants__0__WebhookUrl is empty",
            "Configuration refused: Tenants__0__Delivery__Email is Webhook but Tenants__0__WebhookUrl is empty",
        ];
        var lines = Lines(refusal.Output);
        foreach (var problem in expected)
        {
            Assert.Single(lines, l => l.StartsWith(problem, StringComparison.Ordinal));
        }
        // Nothing else: no stack trace, no repeated message, no host failure log.
        Assert.Equal(expected.Length, lines.Length);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_refused_naming_the_key_and_not_the_value()
    {
        var refusal = await ServerProcess.RefuseAsync(Settings(("Outbox:PollInterval", "secret-looking-value")));

        Assert.Equal(1, refusal.ExitCode);
        Assert.Equal(["Configuration refused: Outbox__PollInterval is not a valid TimeSpan."], Lines(refusal.Output));
    }

    [Fact]
    public async Task A_negative_bound_on_held_push_waits_is_refused_naming_the_keys()
    {
        var refusal = await ServerProcess.RefuseAsync(Settings(("Hosted:MaxHeldPushWaitsPerUser", "-1")));

        Assert.Equal(1, refusal.ExitCode);
        Assert.Equal(["Configuration refused: Hosted__MaxHeldPushWaits and Hosted__MaxHeldPushWaitsPerUser must be 0 or more (0: the page always polls)."],
            Lines(refusal.Output));
    }

    [Fact]
    public async Task Production_needs_the_in_memory_store_asked_for_by_name_and_then_says_so_in_json_lines()
    {
        await using var server = await ServerProcess.StartAsync(Settings(("Redis:Configuration", "memory"), ("Logging:Format", "json")));
        await server.Client(TestTenants.AKey).PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();
        server.Kill();

        var lines = Lines(server.Output);
        Assert.NotEmpty(lines);
        var entries = lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(entries, e => Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _)));
        Assert.Contains(entries, e => e.Str("LogLevel") == "Warning" && e.Str("Message").Contains("embedded in-memory store", StringComparison.Ordinal));
        // Requests are logged at Information here (the tests ask for it): one object per line all the same.
        Assert.Contains(entries, e => e.Str("Message").StartsWith("Request finished", StringComparison.Ordinal));
    }
}
