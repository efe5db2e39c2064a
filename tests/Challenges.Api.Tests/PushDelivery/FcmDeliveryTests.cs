using System.Text.Json;
using Challenges.Api.PushDelivery;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>Notifications through FCM HTTP v1, against a fake FCM and its OAuth2 token endpoint that check what Google checks.</summary>
public sealed class FcmDeliveryTests : IAsyncLifetime
{
    private readonly WatchedClock _clock = new();
    private FcmFake _fcm = null!;
    private PushKit _kit = null!;
    private Tenant _tenant = null!;

    public Task InitializeAsync()
    {
        _fcm = new FcmFake(_clock);
        _kit = PushKit.For(_clock, fcm: _fcm);
        _tenant = PushKit.Tenant(fcm: _fcm);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    private static PushTarget Android(string deviceToken) => new("authenticator-1", "android", deviceToken);

    private Task<PushDeliveryResult> SendAsync(string deviceToken, PushMessage? message = null) =>
        _kit.Delivery.SendAsync(_tenant, message ?? _kit.Message(_tenant), Android(deviceToken), CancellationToken.None);

    private async Task<PushDeliveryResult> SendThroughRetriesAsync(string deviceToken) =>
        (await _kit.SendThroughDelaysAsync(_tenant, _kit.Message(_tenant), Android(deviceToken))).Result;

    [Fact]
    public async Task A_notification_reaches_fcm_with_an_access_token_from_the_service_accounts_assertion()
    {
        var deviceToken = FcmFake.NewDeviceToken();
        var message = _kit.Message(_tenant, lifetime: TimeSpan.FromSeconds(299.6));

        var result = await SendAsync(deviceToken, message);

        Assert.Empty(_fcm.Problems);
        Assert.True(result.Delivered);
        Assert.Equal(("fcm", (string?)null), (result.Provider, result.ErrorCode));
        Assert.Equal(1, _fcm.TokenRequests);
        var notification = Assert.Single(_fcm.Received);
        Assert.Equal(Assert.Single(_fcm.AccessTokens), notification.Credential);
        var sent = notification.Body;
        Assert.Equal(deviceToken, sent.GetProperty("token").GetString());
        Assert.Equal("Confirm it's you", sent.GetProperty("notification").GetProperty("title").GetString());
        Assert.Equal("Open the app to approve or reject this request.", sent.GetProperty("notification").GetProperty("body").GetString());
        Assert.Equal(
            JsonSerializer.Serialize(new { challengeId = message.ChallengeId, actionCode = "signIn" }),
            sent.GetProperty("data").GetRawText());
        Assert.Equal("high", sent.GetProperty("android").GetProperty("priority").GetString());
        // Never longer than the challenge lives: 299.6 seconds left is a time-to-live of 299.
        Assert.Equal("299s", sent.GetProperty("android").GetProperty("ttl").GetString());
        var apnsHeaders = sent.GetProperty("apns").GetProperty("headers");
        Assert.Equal(message.ChallengeId, apnsHeaders.GetProperty("apns-collapse-id").GetString());
        Assert.Equal(message.ExpiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            apnsHeaders.GetProperty("apns-expiration").GetString());
    }

    [Fact]
    public async Task The_access_token_is_reused_across_sends_and_replaced_shortly_before_it_expires()
    {
        await SendAsync(FcmFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(40));
        await SendAsync(FcmFake.NewDeviceToken());
        Assert.Equal(1, _fcm.TokenRequests);

        // Two minutes before the fake's hour is up the token still serves, and a new one is fetched beside it
        // that then serves past the first one's end, without a fetch at that moment.
        _clock.Advance(TimeSpan.FromMinutes(18));
        var late = await SendAsync(FcmFake.NewDeviceToken());
        // The fetch runs in the background: the clock stays put until the token endpoint has handed the token out, as
        // it checks the assertion's time against the clock (moved on while the request is under way, the assertion
        // would be three minutes old on arrival and refused, as Google refuses one).
        await PushServiceFake.WaitUntilAsync(() => _fcm.AccessTokens.Count == 2, "a new access token was handed out");
        _clock.Advance(TimeSpan.FromMinutes(3));
        var next = await SendAsync(FcmFake.NewDeviceToken());

        Assert.True(late.Delivered && next.Delivered);
        Assert.Equal(2, _fcm.TokenRequests);
        var used = _fcm.Received.Select(n => n.Credential).ToList();
        Assert.Equal(4, used.Count);
        Assert.Equal([used[0], used[0]], used[1..3]);
        Assert.NotEqual(used[0], used[3]);
        Assert.Empty(_fcm.Problems);
    }

    [Fact]
    public async Task An_access_token_past_its_hour_is_never_sent()
    {
        await SendAsync(FcmFake.NewDeviceToken());
        _clock.Advance(TimeSpan.FromMinutes(61));

        var result = await SendAsync(FcmFake.NewDeviceToken());

        Assert.True(result.Delivered);
        Assert.Equal(2, _fcm.TokenRequests);
        Assert.NotEqual(_fcm.Received[0].Credential, _fcm.Received[1].Credential);
    }

    [Theory]
    [InlineData(503, "UNAVAILABLE", null)]
    [InlineData(500, "INTERNAL", "INTERNAL")]
    [InlineData(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")]
    public async Task A_transient_error_is_retried_with_back_off_until_fcm_accepts(int status, string grpcStatus, string? fcmCode)
    {
        var deviceToken = FcmFake.NewDeviceToken();
        _fcm.Script(deviceToken, FcmFake.Error(status, grpcStatus, fcmCode), FcmFake.Error(status, grpcStatus, fcmCode));

        var result = await SendThroughRetriesAsync(deviceToken);

        Assert.True(result.Delivered);
        Assert.Equal(3, _fcm.For(deviceToken).Count);
    }

    [Fact]
    public async Task A_retry_waits_as_long_as_fcm_asks()
    {
        var deviceToken = FcmFake.NewDeviceToken();
        _fcm.Script(deviceToken, FcmFake.Error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", retryAfterSeconds: 17));

        var (result, delays) = await _kit.SendThroughDelaysAsync(_tenant, _kit.Message(_tenant), Android(deviceToken));

        Assert.True(result.Delivered);
        Assert.Equal([TimeSpan.FromSeconds(17)], delays);
    }

    [Fact]
    public async Task An_unregistered_token_is_reported_dead_without_a_retry()
    {
        var deviceToken = FcmFake.NewDeviceToken();
        _fcm.Script(deviceToken, FcmFake.Error(404, "NOT_FOUND", "UNREGISTERED"));

        var result = await SendAsync(deviceToken);

        Assert.True(result.TokenDead);
        Assert.Equal((PushErrorCodes.TokenInvalid, "UNREGISTERED"), (result.ErrorCode, result.Result.Reason));
        Assert.Single(_fcm.For(deviceToken));
    }

    [Fact]
    public async Task A_token_fcm_calls_invalid_is_reported_dead_but_another_invalid_argument_is_not()
    {
        var badToken = FcmFake.NewDeviceToken();
        _fcm.Script(badToken, FcmFake.Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", badField: "message.token"));
        var badMessage = FcmFake.NewDeviceToken();
        _fcm.Script(badMessage, FcmFake.Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", badField: "message.android.ttl"));

        var dead = await SendAsync(badToken);
        var refused = await SendAsync(badMessage);

        Assert.True(dead.TokenDead);
        Assert.Equal(PushErrorCodes.TokenInvalid, dead.ErrorCode);
        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "INVALID_ARGUMENT"), (refused.Result.Status, refused.ErrorCode, refused.Result.Reason));
    }

    [Theory]
    [InlineData(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", PushErrorCodes.TokenInvalid)]
    [InlineData(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", PushErrorCodes.ProviderError)]
    [InlineData(403, "PERMISSION_DENIED", null, PushErrorCodes.ProviderError)]
    [InlineData(404, "NOT_FOUND", null, PushErrorCodes.ProviderError)]
    public async Task A_permanent_error_fails_at_once_and_keeps_the_token(int status, string grpcStatus, string? fcmCode, string errorCode)
    {
        var deviceToken = FcmFake.NewDeviceToken();
        _fcm.Script(deviceToken, FcmFake.Error(status, grpcStatus, fcmCode));

        var result = await SendAsync(deviceToken);

        Assert.Equal((PushSendStatus.Failed, errorCode, fcmCode ?? grpcStatus), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Single(_fcm.For(deviceToken));
    }

    [Fact]
    public async Task A_revoked_access_token_is_replaced_and_the_send_retried()
    {
        await SendAsync(FcmFake.NewDeviceToken());
        _fcm.RevokeAccessTokens();
        var deviceToken = FcmFake.NewDeviceToken();

        var result = await SendThroughRetriesAsync(deviceToken);

        Assert.True(result.Delivered);
        Assert.Equal(2, _fcm.TokenRequests);
        Assert.Single(_fcm.For(deviceToken));
    }

    [Fact]
    public async Task A_token_endpoint_refusing_the_service_account_fails_the_send_before_any_message()
    {
        _fcm.ScriptTokenEndpoint(new FakeAnswer(400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"""));

        var result = await SendAsync(FcmFake.NewDeviceToken());

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "OAuth invalid_grant"), (result.Result.Status, result.ErrorCode, result.Result.Reason));
        Assert.Empty(_fcm.Received);
    }

    [Fact]
    public async Task A_token_endpoint_that_is_down_is_retried()
    {
        _fcm.ScriptTokenEndpoint(new FakeAnswer(503, """{"error":"temporarily_unavailable"}"""));

        var result = await SendThroughRetriesAsync(FcmFake.NewDeviceToken());

        Assert.True(result.Delivered);
        Assert.Equal(2, _fcm.TokenRequests);
    }

    [Fact]
    public async Task Redirects_of_fcm_and_of_its_token_endpoint_are_never_followed()
    {
        await using var elsewhere = new WebhookListener();
        var away = new Dictionary<string, string> { ["Location"] = new Uri(elsewhere.BaseUrl, "/token").ToString() };
        _fcm.ScriptTokenEndpoint(new FakeAnswer(307, "{}", away));
        var first = await SendAsync(FcmFake.NewDeviceToken());

        var deviceToken = FcmFake.NewDeviceToken();
        _fcm.Script(deviceToken, new FakeAnswer(307, "{}", away));
        var second = await SendAsync(deviceToken);

        Assert.Equal((PushErrorCodes.ProviderError, "OAuth HTTP 307"), (first.ErrorCode, first.Result.Reason));
        Assert.Equal((PushErrorCodes.ProviderError, "HTTP 307"), (second.ErrorCode, second.Result.Reason));
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public async Task Neither_device_tokens_nor_access_tokens_nor_the_assertion_key_reach_the_logs()
    {
        var dead = FcmFake.NewDeviceToken();
        _fcm.Script(dead, FcmFake.Error(404, "NOT_FOUND", "UNREGISTERED"));
        var busy = FcmFake.NewDeviceToken();
        _fcm.Script(busy, FcmFake.Error(503, "UNAVAILABLE"), FcmFake.Error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"));

        await SendAsync(dead);
        await SendThroughRetriesAsync(busy);

        using var account = JsonDocument.Parse(_fcm.ServiceAccountJson);
        var keyLine = account.RootElement.GetProperty("private_key").GetString()!.Split('\n')[1];
        Assert.Empty(TestLogSink.LinesWithSecrets(new[] { dead, busy, keyLine }.Concat(_fcm.AccessTokens)));
    }
}
