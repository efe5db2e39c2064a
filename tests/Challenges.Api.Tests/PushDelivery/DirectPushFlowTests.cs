using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// Push challenges sent by the server itself, end to end: a phone registers its push token in its SDK's request
/// shapes, gets the notification on the fake APNs or FCM, reads the challenge it names with its signed device request
/// and approves it; and what happens when the push service refuses, fails or is slow.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DirectPushFlowTests(ApiFixture fixture) : IAsyncLifetime
{
    private DirectPushServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new DirectPushServer(fixture);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_iphone_registers_its_apns_token_is_notified_through_apns_reads_the_challenge_and_approves_it()
    {
        var userId = ApiFixture.NewUserId();
        var phone = _server.NewDevice();
        var apnsToken = ApnsFake.NewDeviceToken();
        using var ios = _server.Ios();
        // The iOS SDK's add-credential body: platform IOS, the APNs device token in hex, App Attest evidence.
        var enrolToken = await _server.TrackAsync(userId, "addAuthenticator");
        var added = await _server.Bearer(enrolToken).PostJson("/v1/client/user-authenticators/push", new
        {
            publicKey = phone.PublicKey, deviceName = "iPhone", devicePlatform = "IOS", pushToken = apnsToken,
            performAttestation = new { provider = "APP_ATTEST", token = Convert.ToBase64String(Encoding.UTF8.GetBytes("attestation object")), keyId = "key-id" },
        }).Ok();
        Assert.True(added.Has("expiresAt"));
        var token = await _server.TrackAsync(userId);

        var started = await _server.StartAsync(token).Ok();

        var result = DirectPushServer.OnlyResult(started);
        Assert.Equal((added.Str("userAuthenticatorId"), "SENT"), (result.Str("userAuthenticatorId"), result.Str("status")));
        Assert.False(result.Has("errorCode"));
        var notification = Assert.Single(_server.Apns.For(apnsToken));
        Assert.Empty(_server.Apns.Problems);
        var challengeId = notification.Body.Str("challengeId");
        Assert.Equal(started.Str("challengeId"), challengeId);
        Assert.Equal("signIn", notification.Body.Str("actionCode"));

        // The app opens on the notification and reads the challenge as iOS does (URL-safe key, unpadded Basic).
        var queryKey = DirectPushServer.Base64Url(Encoding.UTF8.GetBytes(phone.PublicKey));
        var pending = await ios.GetAsync($"/v1/client/user-authenticators/push/challenge?publicKey={queryKey}").Ok();
        Assert.Equal(challengeId, pending.Str("challengeId"));
        Assert.Equal(_server.Clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(), pending.GetProperty("expiresAt").GetInt64());
        // iOS leaves verificationCode out when there is none.
        var answer = await ios.PostJson("/v1/client/user-authenticators/push/challenge",
            new { challengeId, publicKey = phone.PublicKey, signature = phone.Sign(challengeId), approved = true }).Ok();
        Assert.True(answer.GetProperty("isVerified").GetBoolean());
        var verified = await _server.Bearer(token).PostJson("/v1/client/verify/push", new { challengeId }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Empty(TestLogSink.LinesWithSecrets([apnsToken]));
    }

    [Fact]
    public async Task An_android_phone_registers_its_fcm_token_is_notified_through_fcm_reads_the_challenge_and_approves_it()
    {
        var userId = ApiFixture.NewUserId();
        var phone = _server.NewDevice();
        var fcmToken = FcmFake.NewDeviceToken();
        using var android = _server.Android();
        var enrolToken = await _server.TrackAsync(userId, "addAuthenticator");
        var added = await _server.Bearer(enrolToken).PostJson("/v1/client/user-authenticators/push", new
        {
            publicKey = phone.PublicKey, deviceName = "Pixel", devicePlatform = "ANDROID", pushToken = fcmToken,
            performAttestation = new { provider = "PLAY_INTEGRITY", token = DirectPushServer.Base64Url(new byte[64]) },
        }).Ok();
        var token = await _server.TrackAsync(userId);

        var started = await _server.StartAsync(token).Ok();

        var result = DirectPushServer.OnlyResult(started);
        Assert.Equal((added.Str("userAuthenticatorId"), "SENT"), (result.Str("userAuthenticatorId"), result.Str("status")));
        var message = Assert.Single(_server.Fcm.For(fcmToken)).Body;
        Assert.Empty(_server.Fcm.Problems);
        var challengeId = message.GetProperty("data").Str("challengeId");
        Assert.Equal(started.Str("challengeId"), challengeId);
        Assert.Equal("high", message.GetProperty("android").Str("priority"));

        // Android: signed get-pending with the padded double-base64 key, then an answer with an explicit null code.
        var pending = await phone.GetPendingAsync();
        Assert.Equal(challengeId, pending.Str("challengeId"));
        var answer = await android.PostRaw("/v1/client/user-authenticators/push/challenge", JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["challengeId"] = challengeId, ["publicKey"] = phone.PublicKey, ["signature"] = phone.Sign(challengeId), ["approved"] = true,
            ["verificationCode"] = null,
        })).Ok();
        Assert.True(answer.GetProperty("isVerified").GetBoolean());
        Assert.Empty(TestLogSink.LinesWithSecrets([fcmToken]));
    }

    [Fact]
    public async Task A_token_apns_calls_unregistered_is_dropped_and_the_next_push_reports_it_missing()
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        var (_, authenticatorId) = await _server.EnrollAsync(userId, "ios", apnsToken);
        _server.Apns.Script(apnsToken, ApnsFake.Refusal(410, "Unregistered"));

        var first = DirectPushServer.OnlyResult(await _server.StartChallengeAsync(userId));

        Assert.Equal(("FAILED", "push_token_invalid"), (first.Str("status"), first.Str("errorCode")));
        Assert.Null(await _server.StoredPushTokenAsync(userId, authenticatorId));
        _server.Clock.Advance(TimeSpan.FromMinutes(6));
        var second = DirectPushServer.OnlyResult(await _server.StartChallengeAsync(userId));
        Assert.Equal(("FAILED", "push_token_missing"), (second.Str("status"), second.Str("errorCode")));
        Assert.Single(_server.Apns.Received);
    }

    [Fact]
    public async Task A_token_fcm_calls_unregistered_is_dropped()
    {
        var userId = ApiFixture.NewUserId();
        var fcmToken = FcmFake.NewDeviceToken();
        var (_, authenticatorId) = await _server.EnrollAsync(userId, "android", fcmToken);
        _server.Fcm.Script(fcmToken, FcmFake.Error(404, "NOT_FOUND", "UNREGISTERED"));

        var result = DirectPushServer.OnlyResult(await _server.StartChallengeAsync(userId));

        Assert.Equal(("FAILED", "push_token_invalid"), (result.Str("status"), result.Str("errorCode")));
        Assert.Null(await _server.StoredPushTokenAsync(userId, authenticatorId));
    }

    [Fact]
    public async Task A_dead_token_answer_does_not_remove_the_newer_token_the_device_registered_meanwhile()
    {
        var userId = ApiFixture.NewUserId();
        var oldToken = ApnsFake.NewDeviceToken();
        var newToken = ApnsFake.NewDeviceToken();
        var (device, authenticatorId) = await _server.EnrollAsync(userId, "ios", oldToken);
        _server.Apns.Script(oldToken, ApnsFake.Refusal(410, "Unregistered"));
        _server.Apns.Hold();

        var starting = _server.StartAsync(await _server.TrackAsync(userId));
        await PushServiceFake.WaitUntilAsync(() => _server.Apns.InFlight == 1, "the send to the old token is at APNs");
        // The app got a new token and registered it (signed update) while APNs was answering about the old one.
        var updated = await device.UpdateAsync(newToken);
        Assert.Equal(newToken, updated.Str("pushToken"));
        _server.Apns.Release();
        var result = DirectPushServer.OnlyResult(await starting.Ok());

        Assert.Equal("push_token_invalid", result.Str("errorCode"));
        Assert.Equal(newToken, await _server.StoredPushTokenAsync(userId, authenticatorId));
        _server.Clock.Advance(TimeSpan.FromMinutes(6));
        var next = DirectPushServer.OnlyResult(await _server.StartChallengeAsync(userId));
        Assert.Equal("SENT", next.Str("status"));
        Assert.Single(_server.Apns.For(newToken));
    }

    [Fact]
    public async Task The_same_key_registered_again_with_a_new_token_is_notified_at_the_new_one()
    {
        var userId = ApiFixture.NewUserId();
        var oldToken = FcmFake.NewDeviceToken();
        var newToken = FcmFake.NewDeviceToken();
        var (device, authenticatorId) = await _server.EnrollAsync(userId, "android", oldToken);

        var again = await device.AddCredentialAsync(await _server.TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" }),
            "Phone", "android", newToken);
        Assert.Equal(authenticatorId, again.Str("userAuthenticatorId"));
        await _server.StartChallengeAsync(userId);

        Assert.Equal(newToken, await _server.StoredPushTokenAsync(userId, authenticatorId));
        Assert.Single(_server.Fcm.For(newToken));
        Assert.Empty(_server.Fcm.For(oldToken));
    }

    [Fact]
    public async Task A_503_from_apns_is_retried_and_the_device_still_gets_its_notification()
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        await _server.EnrollAsync(userId, "ios", apnsToken);
        _server.Apns.Script(apnsToken, ApnsFake.Refusal(503, "ServiceUnavailable"));

        var starting = _server.StartAsync(await _server.TrackAsync(userId));
        await PushServiceFake.WaitUntilAsync(() => _server.Apns.For(apnsToken).Count == 1, "the first attempt is refused");
        // The back-off waits on the server's clock.
        await _server.AdvanceUntilAsync(() => _server.Apns.For(apnsToken).Count == 2, TimeSpan.FromMilliseconds(500), "the retry went out");
        var result = DirectPushServer.OnlyResult(await starting.Ok());

        Assert.Equal("SENT", result.Str("status"));
        Assert.False(result.Has("errorCode"));
        var attempts = _server.Apns.For(apnsToken);
        Assert.Equal(attempts[0].Body.Str("challengeId"), attempts[1].Body.Str("challengeId"));
    }

    [Fact]
    public async Task A_slow_push_service_is_answered_pending_and_the_send_goes_on_after_the_request_is_gone()
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        var (_, authenticatorId) = await _server.EnrollAsync(userId, "ios", apnsToken);
        _server.Apns.Script(apnsToken, ApnsFake.Refusal(410, "Unregistered"));
        _server.Apns.Hold();

        var token = await _server.TrackAsync(userId);
        var starting = _server.StartAsync(token);
        await PushServiceFake.WaitUntilAsync(() => _server.Apns.InFlight == 1, "the send is at APNs");
        await _server.AdvanceUntilAsync(() => starting.IsCompleted, TimeSpan.FromSeconds(5), "the start answered");
        var started = await starting.Ok();
        var result = DirectPushServer.OnlyResult(started);
        Assert.Equal("PENDING", result.Str("status"));
        Assert.False(result.Has("errorCode"));
        // The challenge stands whatever the send does.
        var poll = await _server.Bearer(token).PostJson("/v1/client/verify/push", new { challengeId = started.Str("challengeId") }).Ok();
        Assert.False(poll.GetProperty("isConsumed").GetBoolean());

        // The answer comes after the request ended: the send still finishes, and drops the dead token.
        _server.Apns.Release();
        await PushServiceFake.WaitUntilAsync(() => _server.StoredPushTokenAsync(userId, authenticatorId).GetAwaiter().GetResult() is null,
            "the dead token is dropped in the background");
    }

    [Fact]
    public async Task Every_targeted_device_gets_a_result_and_one_without_a_token_is_reported_missing()
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        var (_, iphone) = await _server.EnrollAsync(userId, "ios", apnsToken);
        var (_, tokenless) = await _server.EnrollAsync(userId, "android", null);
        var fcmToken = FcmFake.NewDeviceToken();
        var (_, pixel) = await _server.EnrollAsync(userId, "android", fcmToken);
        _server.Fcm.Script(fcmToken, FcmFake.Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token"));

        var started = await _server.StartChallengeAsync(userId);

        var results = started.GetProperty("deliveryResults").EnumerateArray()
            .ToDictionary(r => r.Str("userAuthenticatorId"), r => (r.Str("status"), r.Has("errorCode") ? r.Str("errorCode") : null));
        Assert.Equal(3, results.Count);
        Assert.Equal(("SENT", (string?)null), results[iphone]);
        Assert.Equal(("FAILED", (string?)"push_token_missing"), results[tokenless]);
        Assert.Equal(("FAILED", (string?)"push_token_invalid"), results[pixel]);
    }

    [Fact]
    public async Task Both_deliveries_send_directly_and_post_push_created_with_the_token_for_the_relay()
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        await _server.EnrollAsync(userId, "ios", apnsToken);

        var challengeId = (await _server.StartChallengeAsync(userId)).Str("challengeId");

        Assert.Single(_server.Apns.For(apnsToken));
        var created = await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(challengeId, StringComparison.Ordinal));
        using var body = JsonDocument.Parse(created.Body);
        Assert.Equal("push.created", body.RootElement.Str("type"));
        Assert.Equal(apnsToken, body.RootElement.GetProperty("data").Str("pushToken"));
    }

    [Fact]
    public async Task Webhook_delivery_alone_sends_nothing_directly_and_lists_each_device_for_the_relay()
    {
        await using var relayOnly = new DirectPushServer(fixture, ("Tenants:0:Push:Delivery", "Webhook"));
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        var (_, iphone) = await relayOnly.EnrollAsync(userId, "ios", apnsToken);
        var (_, tokenless) = await relayOnly.EnrollAsync(userId, "android", null);

        var started = await relayOnly.StartChallengeAsync(userId);

        var results = started.GetProperty("deliveryResults").EnumerateArray()
            .ToDictionary(r => r.Str("userAuthenticatorId"), r => (r.Str("status"), r.Has("errorCode") ? r.Str("errorCode") : null));
        Assert.Equal(("WEBHOOK", (string?)null), results[iphone]);
        Assert.Equal(("FAILED", (string?)"push_token_missing"), results[tokenless]);
        Assert.Empty(relayOnly.Apns.Received);
        await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(apnsToken, StringComparison.Ordinal));
    }
}
