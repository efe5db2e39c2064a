using System.Globalization;
using System.Text.Json;
using Challenges.Api.PushDelivery;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>Notifications through APNs, against a fake APNs over HTTP/2 that checks what Apple checks and answers what Apple answers.</summary>
public sealed class ApnsDeliveryTests : IAsyncLifetime
{
    private readonly WatchedClock _clock = new();
    private ApnsFake _apns = null!;
    private PushKit _kit = null!;
    private Tenant _tenant = null!;

    public Task InitializeAsync()
    {
        _apns = new ApnsFake(_clock);
        _kit = PushKit.For(_clock, _apns);
        _tenant = PushKit.Tenant(_apns);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _apns.DisposeAsync();
    }

    private Task<PushDeliveryResult> SendAsync(string deviceToken, PushMessage? message = null) =>
        _kit.Delivery.SendAsync(_tenant, message ?? _kit.Message(_tenant), new PushTarget("authenticator-1", "ios", deviceToken), CancellationToken.None);

    /// <summary>Sends while moving the clock past each back-off delay.</summary>
    private async Task<PushDeliveryResult> SendThroughRetriesAsync(string deviceToken, PushMessage? message = null) =>
        (await _kit.SendThroughDelaysAsync(_tenant, message ?? _kit.Message(_tenant), new PushTarget("authenticator-1", "ios", deviceToken))).Result;

    [Fact]
    public async Task A_notification_reaches_apns_over_http2_with_a_signed_provider_token_and_the_challenges_headers()
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        var message = _kit.Message(_tenant);

        var result = await SendAsync(deviceToken, message);

        Assert.True(result.Delivered);
        Assert.Equal(("authenticator-1", "apns", (string?)null), (result.UserAuthenticatorId, result.Provider, result.ErrorCode));
        Assert.Empty(_apns.Problems);
        var notification = Assert.Single(_apns.Received);
        Assert.Equal("HTTP/2", notification.Protocol);
        Assert.Equal(deviceToken, notification.DeviceToken);
        Assert.Equal(ApnsFake.Topic, notification.Header("apns-topic"));
        Assert.Equal("alert", notification.Header("apns-push-type"));
        Assert.Equal("10", notification.Header("apns-priority"));
        Assert.Equal(message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), notification.Header("apns-expiration"));
        Assert.Equal(message.ChallengeId, notification.Header("apns-collapse-id"));
        var payload = notification.Body;
        Assert.Equal(["aps", "challengeId", "actionCode"], payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Confirm it's you", payload.GetProperty("aps").GetProperty("alert").GetProperty("title").GetString());
        Assert.Equal("Open the app to approve or reject this request.", payload.GetProperty("aps").GetProperty("alert").GetProperty("body").GetString());
        Assert.Equal(message.ChallengeId, payload.GetProperty("challengeId").GetString());
        Assert.Equal("signIn", payload.GetProperty("actionCode").GetString());
    }

    [Fact]
    public async Task The_provider_token_is_reused_across_sends_and_replaced_after_fifty_minutes()
    {
        await SendAsync(ApnsFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(19));
        await SendAsync(ApnsFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(30));
        await SendAsync(ApnsFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(ApnsFake.NewDeviceToken());
        // Kept past the hour, APNs would have refused it: the next one is still fresh.
        _clock.Advance(TimeSpan.FromMinutes(59));
        var late = await SendAsync(ApnsFake.NewDeviceToken());

        var tokens = _apns.Received.Select(n => n.Credential).ToList();
        Assert.Equal(5, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.Equal(tokens[0], tokens[2]);
        Assert.NotEqual(tokens[2], tokens[3]);
        Assert.NotEqual(tokens[3], tokens[4]);
        Assert.True(late.Delivered);
        Assert.Empty(_apns.Problems);
    }

    [Theory]
    [InlineData(503, "ServiceUnavailable")]
    [InlineData(500, "InternalServerError")]
    [InlineData(429, "TooManyRequests")]
    public async Task A_transient_refusal_is_retried_with_back_off_until_apns_accepts(int status, string reason)
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, ApnsFake.Refusal(status, reason), ApnsFake.Refusal(status, reason));

        var result = await SendThroughRetriesAsync(deviceToken);

        Assert.True(result.Delivered);
        Assert.Equal(3, _apns.For(deviceToken).Count);
    }

    [Theory]
    [InlineData(410, "Unregistered")]
    [InlineData(410, "ExpiredToken")]
    [InlineData(400, "BadDeviceToken")]
    public async Task A_dead_token_is_reported_for_dropping_without_a_retry(int status, string reason)
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, ApnsFake.Refusal(status, reason));

        var result = await SendAsync(deviceToken);

        Assert.True(result.TokenDead);
        Assert.Equal((PushErrorCodes.TokenInvalid, reason), (result.ErrorCode, result.Result.Reason));
        Assert.Single(_apns.For(deviceToken));
    }

    [Theory]
    [InlineData(400, "DeviceTokenNotForTopic", PushErrorCodes.TokenInvalid)]
    [InlineData(403, "InvalidProviderToken", PushErrorCodes.ProviderError)]
    [InlineData(400, "BadTopic", PushErrorCodes.ProviderError)]
    [InlineData(413, "PayloadTooLarge", PushErrorCodes.ProviderError)]
    public async Task A_permanent_refusal_fails_at_once_and_keeps_the_token(int status, string reason, string errorCode)
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, ApnsFake.Refusal(status, reason));

        var result = await SendAsync(deviceToken);

        Assert.Equal((PushSendStatus.Failed, errorCode, reason), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.False(result.TokenDead);
        Assert.Single(_apns.For(deviceToken));
    }

    [Fact]
    public async Task A_provider_token_apns_calls_expired_is_replaced_for_the_retry_once_it_is_twenty_minutes_old()
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        await SendAsync(deviceToken);
        _clock.Advance(TimeSpan.FromMinutes(25));
        _apns.Script(deviceToken, ApnsFake.Refusal(403, "ExpiredProviderToken"));

        var result = await SendThroughRetriesAsync(deviceToken);

        Assert.True(result.Delivered);
        var tokens = _apns.For(deviceToken).Select(n => n.Credential).ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task A_provider_token_younger_than_twenty_minutes_is_kept_even_when_apns_calls_it_expired()
    {
        await SendAsync(ApnsFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(5));
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, Enumerable.Repeat(ApnsFake.Refusal(403, "ExpiredProviderToken"), DirectPushDelivery.MaxAttempts).ToArray());

        var result = await SendThroughRetriesAsync(deviceToken);

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "ExpiredProviderToken"), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Equal(DirectPushDelivery.MaxAttempts, _apns.For(deviceToken).Count);
        Assert.Single(_apns.Received.Select(n => n.Credential).Distinct());
    }

    [Fact]
    public async Task Retries_wait_for_retry_after_and_stop_where_the_challenge_ends()
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        var busy = ApnsFake.Refusal(503, "ServiceUnavailable") with { Headers = new Dictionary<string, string> { ["Retry-After"] = "4" } };
        _apns.Script(deviceToken, Enumerable.Repeat(busy, 10).ToArray());

        // Tries at 0, 4 and 8 seconds; a fourth at 12 would come after the challenge's end at 10.
        var (result, delays) = await _kit.SendThroughDelaysAsync(_tenant, _kit.Message(_tenant, lifetime: TimeSpan.FromSeconds(10)),
            new PushTarget("authenticator-1", "ios", deviceToken));

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "ServiceUnavailable"), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Equal([TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)], delays);
        Assert.Equal(3, _apns.For(deviceToken).Count);
    }

    [Fact]
    public async Task Without_retry_after_the_back_off_grows_from_a_second_and_stops_after_five_attempts()
    {
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, Enumerable.Repeat(ApnsFake.Refusal(503, "ServiceUnavailable"), 10).ToArray());

        var (result, delays) = await _kit.SendThroughDelaysAsync(_tenant, _kit.Message(_tenant), new PushTarget("authenticator-1", "ios", deviceToken));

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError), (result.Result.Status, result.ErrorCode));
        Assert.Equal(DirectPushDelivery.MaxAttempts, _apns.For(deviceToken).Count);
        Assert.Equal(DirectPushDelivery.MaxAttempts - 1, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, DirectPushDelivery.MaxRetryDelay));
        // Jittered around 1, 2, 4 and 8 seconds: the last waits longer than the first.
        Assert.True(delays.Sum(d => d.TotalSeconds) > 2, string.Join(", ", delays));
    }

    [Fact]
    public async Task A_challenge_that_has_expired_is_not_sent()
    {
        var result = await SendAsync(ApnsFake.NewDeviceToken(), _kit.Message(_tenant, lifetime: TimeSpan.Zero));

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError), (result.Result.Status, result.ErrorCode));
        Assert.Empty(_apns.Received);
    }

    [Fact]
    public async Task An_unreachable_apns_is_retried_and_then_reported_as_a_provider_error()
    {
        await using var kit = PushKit.For(_clock, extra: ("Push:Apns:BaseUrl", $"http://127.0.0.1:{RedisServer.FreePort()}"));

        var (result, delays) = await kit.SendThroughDelaysAsync(_tenant, kit.Message(_tenant), new PushTarget("authenticator-1", "ios", ApnsFake.NewDeviceToken()));

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "HttpRequestException"), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Equal(DirectPushDelivery.MaxAttempts - 1, delays.Count);
    }

    [Fact]
    public async Task A_device_token_with_path_characters_is_never_put_in_an_apns_path()
    {
        var apns = _kit.Registry.All.OfType<ApnsProvider>().Single();
        foreach (var hostile in new[] { "../../../3/device/" + ApnsFake.NewDeviceToken(), ApnsFake.NewDeviceToken() + "?x=1", ApnsFake.NewDeviceToken() + "%2F..", "" })
        {
            var result = await apns.SendAsync(_tenant, _kit.Message(_tenant), hostile, CancellationToken.None);
            Assert.Equal((PushSendStatus.Failed, PushErrorCodes.TokenInvalid), (result.Status, result.ErrorCode));
            // Through the delivery such a token is not an APNs token at all: FCM's, which this tenant does not use.
            var delivered = await SendAsync(hostile);
            Assert.Equal(hostile.Length == 0 ? PushErrorCodes.TokenMissing : PushErrorCodes.NotConfigured, delivered.ErrorCode);
        }
        Assert.Empty(_apns.Received);
        Assert.Empty(_apns.Problems);
    }

    [Fact]
    public async Task An_apns_redirect_is_never_followed()
    {
        await using var elsewhere = new WebhookListener();
        var deviceToken = ApnsFake.NewDeviceToken();
        _apns.Script(deviceToken, new FakeAnswer(307, "{}", new Dictionary<string, string> { ["Location"] = new Uri(elsewhere.BaseUrl, "/3/device/" + deviceToken).ToString() }));

        var result = await SendAsync(deviceToken);

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "HTTP 307"), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Single(_apns.For(deviceToken));
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public void Each_environment_has_its_apple_host()
    {
        Assert.Equal(new Uri("https://api.sandbox.push.apple.com"), ApnsProvider.HostFor("sandbox"));
        Assert.Equal(new Uri("https://api.sandbox.push.apple.com"), ApnsProvider.HostFor("Sandbox"));
        Assert.Equal(new Uri("https://api.push.apple.com"), ApnsProvider.HostFor("production"));
    }

    [Fact]
    public async Task An_action_with_its_own_text_gets_it_and_the_rest_falls_back_to_the_tenants()
    {
        var tenant = PushKit.Tenant(_apns, configure: o =>
        {
            o.Push.Notification.Title = "Acme sign-in";
            o.Push.Notification.Actions["stepUp"] = new PushNotificationText { Body = "Approve to continue in your browser." };
        });
        var deviceToken = ApnsFake.NewDeviceToken();

        var result = await _kit.Delivery.SendAsync(tenant, _kit.Message(tenant, "stepUp"), new PushTarget("authenticator-1", "ios", deviceToken), CancellationToken.None);

        Assert.True(result.Delivered);
        var alert = Assert.Single(_apns.For(deviceToken)).Body.GetProperty("aps").GetProperty("alert");
        Assert.Equal("Acme sign-in", alert.GetProperty("title").GetString());
        Assert.Equal("Approve to continue in your browser.", alert.GetProperty("body").GetString());
    }

    [Fact]
    public async Task Neither_device_tokens_nor_provider_tokens_reach_the_logs()
    {
        var dead = ApnsFake.NewDeviceToken();
        var busy = ApnsFake.NewDeviceToken();
        _apns.Script(dead, ApnsFake.Refusal(410, "Unregistered"));
        _apns.Script(busy, ApnsFake.Refusal(503, "ServiceUnavailable"), ApnsFake.Refusal(403, "InvalidProviderToken"));

        await SendAsync(dead);
        await SendThroughRetriesAsync(busy);

        var secrets = new[] { dead, busy }.Concat(_apns.Received.Select(n => n.Credential)).Append(_apns.PrivateKeyPem.Split('\n')[1]);
        Assert.Empty(TestLogSink.LinesWithSecrets(secrets));
        Assert.Contains(TestLogSink.All, line => line.Contains("Unregistered", StringComparison.Ordinal));
    }
}
