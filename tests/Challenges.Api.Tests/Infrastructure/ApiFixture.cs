using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// One real Redis, one webhook listener and one server for the integration tests of the "api" collection. With
/// <c>CHALLENGES_TEST_REDIS=cluster</c> the Redis is a 3-master Redis Cluster, so the same tests prove every flow there.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    private RedisServer? _redis;
    private RedisCluster? _cluster;

    public static bool OnCluster => Environment.GetEnvironmentVariable("CHALLENGES_TEST_REDIS") == "cluster";

    /// <summary>The connection string of the tests' Redis (a single server, or every node of the cluster).</summary>
    public string RedisConfiguration => _cluster?.Configuration ?? _redis!.Configuration;

    public WebhookListener Webhooks { get; private set; } = null!;
    public FakeTimeProvider Clock { get; } = TestClock.StartingNow();
    public ChallengesFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (OnCluster)
        {
            _cluster = await RedisCluster.StartAsync();
        }
        else
        {
            _redis = new RedisServer();
        }
        Webhooks = new WebhookListener();
        // Passkeys for tenants A and B; metrics on, so every integration test runs with the OpenTelemetry pipeline and /metrics can be read.
        var settings = TestTenants.Passkeys(Passkeys.PasskeyKit.Origins);
        settings["Metrics:Enabled"] = "true";
        Factory = new ChallengesFactory(RedisConfiguration, Webhooks.Url, Clock, settings);
        await WaitUntilReadyAsync(Factory.CreateClient());
    }

    /// <summary>Waits for /health/ready, as a load balancer would: on a cluster, until every master answers.</summary>
    public static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The server did not become ready: {await response.Content.ReadAsStringAsync()}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>A client with the Server API's secret-key Basic header.</summary>
    public HttpClient ServerClient(string secretKey = TestTenants.AKey)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));
        return client;
    }

    /// <summary>A client with a client token.</summary>
    public HttpClient BearerClient(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client with tenant Basic as Android sends it (padded base64 of "tenantId:").</summary>
    public HttpClient DeviceClient(string tenantId = TestTenants.A)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(tenantId + ":")));
        return client;
    }

    public HttpClient AnonymousClient() => Factory.CreateClient();

    public static string NewUserId() => "user-" + Guid.NewGuid().ToString("N")[..12];

    public async Task DisposeAsync()
    {
        // Every code and magic link secret the tenants' webhook received, every secret key and the signing key must be absent
        // from every log line the in-process servers wrote during the run (and so must client tokens and signature headers).
        var codes = Webhooks.Received.Select(r => CodeIn(r.Body)).OfType<string>().ToList();
        var links = Webhooks.Received.Select(r => CodeIn(r.Body, "url")).OfType<string>().Select(url => url.Split('.')[^1]).ToList();
        var leaks = TestLogSink.LinesWithSecrets([TestTenants.AKey, TestTenants.AKeyRotated, TestTenants.BKey, TestTenants.MatchKey,
            TestTenants.SigningKey, .. codes.Select(c => $" {c}"), .. links]);
        await Factory.DisposeAsync();
        await Webhooks.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (leaks.Count > 0)
        {
            throw new InvalidOperationException($"{leaks.Count} log lines hold a secret, e.g.: {leaks[0][..Math.Min(300, leaks[0].Length)]}");
        }
    }

    /// <summary>A webhook's <c>data.code</c> (or another field: a magic link's <c>url</c>, whose secret is its last dot-separated part).</summary>
    private static string? CodeIn(byte[] body, string field = "code")
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty(field, out var value) ? value.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
