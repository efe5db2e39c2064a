using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Push;

[Collection(ApiCollection.Name)]
public sealed class PushFlowTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    [Fact]
    public async Task The_seed_sequence_enrols_challenges_approves_and_validates_once()
    {
        var userId = ApiFixture.NewUserId();

        // Registration: the backend tracks with add:authenticators; the app adds its device credential.
        var registration = await _push.TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" });
        var device = _push.NewDevice();
        var added = await device.AddCredentialAsync(registration, "Pixel 9", "android", "fcm-token-1");
        var authenticatorId = added.Str("userAuthenticatorId");
        Assert.Equal(userId, added.Str("userId"));
        Assert.True(added.Has("verifiedAt"));

        // Authentication: the backend tracks signIn; the web app starts a push challenge.
        var tracked = await _push.TrackResponseAsync(userId, "signIn", new
        {
            ipAddress = "203.0.113.7", userAgent = "Mozilla/5.0 (seed)", deviceId = "browser-1", custom = new { amount = "42.00" }, locale = "de-AT",
        });
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));
        Assert.Contains("PUSH", tracked.GetProperty("enrolledVerificationMethods").EnumerateArray().Select(e => e.GetString()));
        var token = tracked.Str("token");
        var challengeId = await _push.StartChallengeAsync(token);

        // push.created reaches the tenant's receiver, signed.
        var hook = await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(challengeId, StringComparison.Ordinal));
        Assert.True(PushHelpers.SignatureIsValid(hook.Header("X-Signature-V2"), hook.Body, TestTenants.AKey));
        var envelope = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("push.created", envelope.Str("type"));
        Assert.Equal(TestTenants.A, envelope.Str("tenantId"));
        var data = envelope.GetProperty("data");
        Assert.Equal(challengeId, data.Str("challengeId"));
        Assert.Equal(userId, data.Str("userId"));
        Assert.Equal("signIn", data.Str("actionCode"));
        Assert.Equal(tracked.Str("idempotencyKey"), data.Str("idempotencyKey"));
        Assert.Equal(authenticatorId, data.Str("userAuthenticatorId"));
        Assert.Equal("fcm-token-1", data.Str("pushToken"));
        Assert.Equal("de-AT", data.Str("locale"));
        Assert.Equal("203.0.113.7", data.Str("ipAddress"));
        Assert.Equal("Mozilla/5.0 (seed)", data.Str("userAgent"));
        Assert.All(data.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));

        // Pending: the web app polls and gets nothing yet.
        var pending = await _push.PollAsync(token, challengeId).Ok();
        Assert.False(pending.GetProperty("isVerified").GetBoolean());
        Assert.False(pending.GetProperty("isConsumed").GetBoolean());

        // The device fetches the challenge (signed, so custom is there) and approves it.
        var shown = await device.GetPendingAsync();
        Assert.Equal(authenticatorId, shown.Str("userAuthenticatorId"));
        Assert.Equal(challengeId, shown.Str("challengeId"));
        Assert.Equal(userId, shown.Str("userId"));
        Assert.Equal("signIn", shown.Str("actionCode"));
        Assert.Equal(tracked.Str("idempotencyKey"), shown.Str("idempotencyKey"));
        Assert.Equal("203.0.113.7", shown.Str("ipAddress"));
        Assert.Equal("Mozilla/5.0 (seed)", shown.Str("userAgent"));
        Assert.Equal("browser-1", shown.Str("deviceId"));
        Assert.Equal("42.00", shown.GetProperty("custom").Str("amount"));
        Assert.True(shown.GetProperty("expiresAt").GetInt64() > fixture.Clock.GetUtcNow().ToUnixTimeSeconds());
        var answer = await device.AnswerAsync(challengeId, approved: true);
        Assert.True(answer.GetProperty("isVerified").GetBoolean());

        // The web poll gets the access token, once.
        var approved = await _push.PollAsync(token, challengeId).Ok();
        Assert.True(approved.GetProperty("isVerified").GetBoolean());
        Assert.True(approved.GetProperty("isConsumed").GetBoolean());
        var accessToken = approved.Str("accessToken");
        var again = await _push.PollAsync(token, challengeId).Ok();
        Assert.True(again.GetProperty("isVerified").GetBoolean());
        Assert.False(again.Has("accessToken"));

        // The backend validates the access token: valid once.
        var valid = await _push.Server.PostJson("/v1/validate", new { token = accessToken }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal("PUSH", valid.Str("verificationMethod"));
        var second = await _push.Server.PostJson("/v1/validate", new { token = accessToken }).Ok();
        Assert.False(second.GetProperty("isValid").GetBoolean());

        // The device has nothing pending any more, and the action is done.
        var after = await device.GetPendingAsync(withSignature: false);
        Assert.Equal(authenticatorId, after.Str("userAuthenticatorId"));
        Assert.False(after.Has("challengeId"));
        await _push.StartAsync(token).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task The_poll_applies_an_approval_to_the_action_again_before_issuing_the_token()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var tracked = await _push.TrackResponseAsync(userId);
        var token = tracked.Str("token");
        var challengeId = await _push.StartChallengeAsync(token);
        await device.AnswerAsync(challengeId, approved: true);

        // As if the action update after the device's answer had been lost.
        var path = $"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}";
        await _push.Server.PatchJson(path, new { state = "CHALLENGE_REQUIRED" }).Ok();

        var accessToken = (await _push.PollAsync(token, challengeId).Ok()).Str("accessToken");
        Assert.Equal("CHALLENGE_SUCCEEDED", (await _push.Server.GetAsync(path).Ok()).Str("state"));
        Assert.True((await _push.Server.PostJson("/v1/validate", new { token = accessToken }).Ok()).GetProperty("isValid").GetBoolean());
    }

    [Fact]
    public async Task A_challenge_to_one_device_is_invisible_to_and_refused_from_the_others()
    {
        var userId = ApiFixture.NewUserId();
        var (phone, phoneId) = await _push.EnrollAsync(userId, "phone");
        var (tablet, tabletId) = await _push.EnrollAsync(userId, "tablet");
        var token = await _push.TrackAsync(userId);

        var challengeId = await _push.StartChallengeAsync(token, new { userAuthenticatorId = tabletId });

        var onPhone = await phone.GetPendingAsync(withSignature: false);
        Assert.Equal(phoneId, onPhone.Str("userAuthenticatorId"));
        Assert.False(onPhone.Has("challengeId"));
        Assert.Equal(challengeId, (await tablet.GetPendingAsync(withSignature: false)).Str("challengeId"));
        await _push.AnswerRawAsync(phone, challengeId, approved: true).Error(HttpStatusCode.NotFound, "not_found");

        Assert.True((await tablet.AnswerAsync(challengeId, approved: true)).GetProperty("isVerified").GetBoolean());
        Assert.True((await _push.PollAsync(token, challengeId).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_challenge_to_all_devices_is_seen_by_each_and_answered_by_the_first()
    {
        var userId = ApiFixture.NewUserId();
        var (phone, _) = await _push.EnrollAsync(userId, "phone");
        var (tablet, _) = await _push.EnrollAsync(userId, "tablet");
        var token = await _push.TrackAsync(userId);

        var challengeId = await _push.StartChallengeAsync(token);
        await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(challengeId, StringComparison.Ordinal) && r.BodyText.Contains("push-token-phone", StringComparison.Ordinal));
        await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(challengeId, StringComparison.Ordinal) && r.BodyText.Contains("push-token-tablet", StringComparison.Ordinal));

        Assert.Equal(challengeId, (await phone.GetPendingAsync(withSignature: false)).Str("challengeId"));
        Assert.Equal(challengeId, (await tablet.GetPendingAsync(withSignature: false)).Str("challengeId"));
        await phone.AnswerAsync(challengeId, approved: true);
        await _push.AnswerRawAsync(tablet, challengeId, approved: false).Error(HttpStatusCode.Conflict, "conflict");
        Assert.False((await tablet.GetPendingAsync(withSignature: false)).Has("challengeId"));
        Assert.True((await _push.PollAsync(token, challengeId).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Start_without_a_push_device_or_with_an_unknown_one_is_not_found()
    {
        var userId = ApiFixture.NewUserId();
        await _push.Server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000042" }).Ok();
        var token = await _push.TrackAsync(userId);
        await _push.StartAsync(token).Error(HttpStatusCode.NotFound, "not_found");

        await _push.EnrollAsync(userId);
        var again = await _push.TrackAsync(userId);
        await _push.StartAsync(again, new { userAuthenticatorId = "no-such-authenticator" }).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_rejected_challenge_polls_as_consumed_and_fails_the_action()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var tracked = await _push.TrackResponseAsync(userId);
        var token = tracked.Str("token");
        var challengeId = await _push.StartChallengeAsync(token);

        var answer = await device.AnswerAsync(challengeId, approved: false);
        Assert.False(answer.GetProperty("isVerified").GetBoolean());

        var poll = await _push.PollAsync(token, challengeId).Ok();
        Assert.False(poll.GetProperty("isVerified").GetBoolean());
        Assert.True(poll.GetProperty("isConsumed").GetBoolean());
        Assert.False(poll.Has("accessToken"));
        var action = await _push.ActionAsync(userId, "signIn", tracked.Str("idempotencyKey"));
        Assert.Equal("CHALLENGE_FAILED", action.Str("state"));
        await _push.AnswerRawAsync(device, challengeId, approved: true).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task An_expired_challenge_is_consumed_for_the_web_gone_for_the_device_and_refuses_answers()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);

        fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        var poll = await _push.PollAsync(token, challengeId).Ok();
        Assert.False(poll.GetProperty("isVerified").GetBoolean());
        Assert.True(poll.GetProperty("isConsumed").GetBoolean());
        Assert.False((await device.GetPendingAsync(withSignature: false)).Has("challengeId"));
        await _push.AnswerRawAsync(device, challengeId, approved: true).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_tampered_signature_is_refused_and_changes_nothing()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);

        var good = Convert.FromBase64String(device.Sign(challengeId));
        good[^1] ^= 0x01;
        await _push.AnswerRawAsync(device, challengeId, true, Convert.ToBase64String(good)).Error(HttpStatusCode.BadRequest, "invalid_credential");
        await _push.AnswerRawAsync(device, challengeId, true, device.Sign("another message")).Error(HttpStatusCode.BadRequest, "invalid_credential");
        await _push.AnswerRawAsync(device, challengeId, true, "%%%not-base64%%%").Error(HttpStatusCode.BadRequest, "invalid_credential");

        var poll = await _push.PollAsync(token, challengeId).Ok();
        Assert.False(poll.GetProperty("isConsumed").GetBoolean());
        Assert.True((await device.AnswerAsync(challengeId, approved: true)).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task An_answer_from_another_users_device_or_an_unknown_key_is_refused()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);
        var (stranger, _) = await _push.EnrollAsync(ApiFixture.NewUserId());

        await _push.AnswerRawAsync(stranger, challengeId, approved: true).Error(HttpStatusCode.NotFound, "not_found");
        await _push.AnswerRawAsync(_push.NewDevice(), challengeId, approved: true).Error(HttpStatusCode.BadRequest, "invalid_credential");
        await fixture.DeviceClient().GetAsync($"/v1/client/user-authenticators/push/challenge?publicKey={_push.NewDevice().QueryKey}")
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
        Assert.False((await _push.PollAsync(token, challengeId).Ok()).GetProperty("isConsumed").GetBoolean());
    }

    [Fact]
    public async Task A_replayed_answer_is_refused()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);
        var signature = device.Sign(challengeId);

        await _push.AnswerRawAsync(device, challengeId, true, signature).Ok();
        await _push.AnswerRawAsync(device, challengeId, true, signature).Error(HttpStatusCode.Conflict, "conflict");
        await _push.AnswerRawAsync(device, challengeId, false, signature).Error(HttpStatusCode.Conflict, "conflict");
        Assert.True((await _push.PollAsync(token, challengeId).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_hundred_concurrent_answers_move_the_challenge_exactly_once()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var tracked = await _push.TrackResponseAsync(userId);
        var token = tracked.Str("token");
        var challengeId = await _push.StartChallengeAsync(token);

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var response = await _push.AnswerRawAsync(device, challengeId, approved: i % 2 == 0);
            var body = await response.Content.ReadAsStringAsync();
            return (Approved: i % 2 == 0, response.StatusCode, Body: JsonDocument.Parse(body).RootElement.Clone());
        }));

        var winners = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        Assert.True(winners.Count == 1, "Answers by status: " + string.Join(", ",
            answers.GroupBy(a => a.StatusCode).Select(g => $"{(int)g.Key}: {g.Count()} ({g.First().Body.GetRawText()})")));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Equal("conflict", a.Body.Str("error"));
        });
        var winner = winners[0];
        Assert.Equal(winner.Approved, winner.Body.GetProperty("isVerified").GetBoolean());
        var poll = await _push.PollAsync(token, challengeId).Ok();
        Assert.Equal(winner.Approved, poll.GetProperty("isVerified").GetBoolean());
        var action = await _push.ActionAsync(userId, "signIn", tracked.Str("idempotencyKey"));
        Assert.Equal(winner.Approved ? "CHALLENGE_SUCCEEDED" : "CHALLENGE_FAILED", action.Str("state"));
    }

    [Fact]
    public async Task A_poll_with_another_actions_token_does_not_find_the_challenge()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);
        var other = await _push.TrackAsync(userId);

        await _push.PollAsync(other, challengeId).Error(HttpStatusCode.NotFound, "not_found");
        await _push.PollAsync(token, "no-such-challenge").Error(HttpStatusCode.NotFound, "not_found");
        await fixture.BearerClient(token).PostJson("/v1/client/verify/push", new { }).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task The_sixth_push_start_within_ten_minutes_is_rate_limited()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        for (var i = 0; i < 5; i++)
        {
            await _push.StartAsync(token).Ok();
            // Past the push-fatigue back-off (10 s doubling while unanswered), well inside the ten minutes.
            fixture.Clock.Advance(TimeSpan.FromSeconds(90));
        }

        using var limited = await _push.StartAsync(token);
        await limited.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task Start_push_without_a_token_is_unauthorized()
    {
        await fixture.AnonymousClient().PostJson("/v1/client/challenge/push", new { }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.DeviceClient().PostJson("/v1/client/challenge/push", new { }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_device_context_falls_back_to_the_request_that_started_the_challenge()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        using var client = fixture.BearerClient(token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("WebBrowser/1.0");
        var challengeId = (await client.PostJson("/v1/client/challenge/push", new { }).Ok()).Str("challengeId");

        var shown = await device.GetPendingAsync(withSignature: false);
        Assert.Equal(challengeId, shown.Str("challengeId"));
        Assert.Equal("WebBrowser/1.0", shown.Str("userAgent"));
        Assert.True(shown.Has("ipAddress"));
        Assert.False(shown.Has("deviceId"));
    }

    [Fact]
    public async Task A_push_created_that_the_receiver_refuses_is_retried_with_the_same_id()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId, "retry-phone");
        var token = await _push.TrackAsync(userId);
        var refused = 0;
        var previous = fixture.Webhooks.Respond;
        fixture.Webhooks.Respond = r => r.BodyText.Contains("push-token-retry-phone", StringComparison.Ordinal) && Interlocked.Increment(ref refused) == 1
            ? (500, "{}")
            : previous(r);
        try
        {
            var challengeId = await _push.StartChallengeAsync(token);
            bool Mine(ReceivedRequest r) => r.BodyText.Contains(challengeId, StringComparison.Ordinal);
            await fixture.Webhooks.WaitForAsync(Mine);
            // The retry waits on the server's clock: move it on until the second attempt has gone out.
            for (var step = 0; step < 50 && fixture.Webhooks.Received.Count(Mine) < 2; step++)
            {
                fixture.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(100);
            }
            var attempts = fixture.Webhooks.Received.Where(Mine).Select(r => JsonDocument.Parse(r.Body).RootElement.Str("id")).ToList();
            Assert.True(attempts.Count >= 2);
            Assert.Single(attempts.Distinct());
        }
        finally
        {
            fixture.Webhooks.Respond = previous;
        }
    }
}
