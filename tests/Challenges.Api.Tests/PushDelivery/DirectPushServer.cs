using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Users;
using Challenges.Device;
using Microsoft.Extensions.Time.Testing;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// A server whose tenant A sends push challenges itself, through a fake APNs (HTTP/2) and a fake FCM with its token
/// endpoint, on the tests' Redis; with the steps of the flow as the web app and the phones speak them.
/// </summary>
public sealed class DirectPushServer : IAsyncDisposable
{
    /// <summary>How long a start waits for its sends here: long, so that only a test that moves the clock sees PENDING.</summary>
    public static readonly TimeSpan ResultWait = TimeSpan.FromSeconds(30);

    private readonly ApiFixture _fixture;

    public DirectPushServer(ApiFixture fixture, params (string Key, string? Value)[] extra)
    {
        _fixture = fixture;
        Apns = new ApnsFake(Clock);
        Fcm = new FcmFake(Clock);
        var settings = new Dictionary<string, string?>
        {
            ["Push:Apns:BaseUrl"] = Apns.BaseUrl.ToString(),
            ["Push:Fcm:BaseUrl"] = Fcm.BaseUrl.ToString(),
            ["Push:ResultWait"] = ResultWait.ToString(),
            ["Tenants:0:Push:Apns:TeamId"] = ApnsFake.TeamId,
            ["Tenants:0:Push:Apns:KeyId"] = ApnsFake.KeyId,
            ["Tenants:0:Push:Apns:PrivateKey"] = Apns.PrivateKeyPem,
            ["Tenants:0:Push:Apns:Topic"] = ApnsFake.Topic,
            ["Tenants:0:Push:Apns:Environment"] = "sandbox",
            ["Tenants:0:Push:Fcm:ServiceAccount"] = Fcm.ServiceAccountJson,
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        Factory = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, Clock, settings);
    }

    public FakeTimeProvider Clock { get; } = TestClock.StartingNow();
    public ApnsFake Apns { get; }
    public FcmFake Fcm { get; }
    public ChallengesFactory Factory { get; }

    public HttpClient Server()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        return client;
    }

    public HttpClient Bearer(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client with tenant Basic as the iOS SDK sends it: unpadded base64url of "tenantId:".</summary>
    public HttpClient Ios()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization",
            "Basic " + Base64Url(Encoding.UTF8.GetBytes(TestTenants.A + ":")));
        return client;
    }

    /// <summary>A client with tenant Basic as the Android SDK sends it: padded base64 of "tenantId:".</summary>
    public HttpClient Android()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.A + ":")));
        return client;
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public DeviceClient NewDevice() => new(Factory.CreateClient(), TestTenants.A, DeviceClient.NewKey());

    public async Task<string> TrackAsync(string userId, string action = "signIn", object? body = null) =>
        (await Server().PostJson($"/v1/users/{userId}/actions/{action}", body ?? new { }).Ok()).Str("token");

    /// <summary>Enrols a device with its push token through the Android-shaped client of <see cref="DeviceClient"/>.</summary>
    public async Task<(DeviceClient Device, string AuthenticatorId)> EnrollAsync(string userId, string platform, string? pushToken)
    {
        var token = await TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" });
        var device = NewDevice();
        var added = await device.AddCredentialAsync(token, "Phone", platform, pushToken);
        return (device, added.Str("userAuthenticatorId"));
    }

    public Task<HttpResponseMessage> StartAsync(string token, object? body = null, CancellationToken cancellationToken = default) =>
        Bearer(token).PostAsync("/v1/client/challenge/push", JsonContent(body ?? new { }), cancellationToken);

    public async Task<JsonElement> StartChallengeAsync(string userId) => await StartAsync(await TrackAsync(userId)).Ok();

    public static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>The one delivery result of a start that targeted one device.</summary>
    public static JsonElement OnlyResult(JsonElement started) => Assert.Single(started.GetProperty("deliveryResults").EnumerateArray());

    /// <summary>The push token stored for an authenticator, read from Redis (it is never on the wire after registration).</summary>
    public async Task<string?> StoredPushTokenAsync(string userId, string authenticatorId) =>
        (await StoredAuthenticatorAsync(userId, authenticatorId)).TryGetProperty("pushToken", out var token) && token.ValueKind == JsonValueKind.String
            ? token.GetString()
            : null;

    /// <summary>An authenticator as stored in its user's document.</summary>
    public async Task<JsonElement> StoredAuthenticatorAsync(string userId, string authenticatorId)
    {
        await using var redis = await RedisInspector.ConnectAsync(_fixture.RedisConfiguration);
        using var user = JsonDocument.Parse((string)(await redis.Database.StringGetAsync(UserStore.KeyOf(TestTenants.A, userId)))!);
        return user.RootElement.GetProperty("authenticators").EnumerateArray().Single(a => a.Str("id") == authenticatorId).Clone();
    }

    /// <summary>Moves the server's clock on in steps until <paramref name="done"/> holds (retries and waits run on it).</summary>
    public async Task AdvanceUntilAsync(Func<bool> done, TimeSpan step, string what)
    {
        for (var i = 0; i < 100 && !done(); i++)
        {
            Clock.Advance(step);
            await Task.Delay(50);
        }
        Assert.True(done(), $"Timed out moving the clock until {what}.");
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Apns.DisposeAsync();
        await Fcm.DisposeAsync();
    }
}
