using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Push;

/// <summary>
/// Push bombing: someone who has the user's password starts push after push, hoping the user approves one to make
/// it stop. Each rule of the push-fatigue defence is attacked here against the running server (defaults of
/// tenant A: back-off from 10 s, number matching after a rejection, a new address or 3 unanswered pushes, an hour's
/// pause after "this wasn't me").
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PushFatigueAttackTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    private async Task<HttpResponseMessage> StartAsync(string userId, string? ipAddress = null) =>
        await _push.StartAsync(await _push.TrackAsync(userId, body: ipAddress is null ? null : new { ipAddress }));

    /// <summary>The device's answer with a <c>reason</c>, as an app with a "this wasn't me" button sends it.</summary>
    private Task<JsonElement> AnswerWithReasonAsync(Challenges.Device.DeviceClient device, string challengeId, bool approved, string reason) =>
        fixture.DeviceClient().PostJson("/v1/client/user-authenticators/push/challenge",
            new { challengeId, publicKey = device.PublicKey, signature = device.Sign(challengeId), approved, reason }).Ok();

    private static async Task<TimeSpan> RefusedAsync(HttpResponseMessage response)
    {
        await response.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        return response.Headers.RetryAfter!.Delta!.Value;
    }

    [Fact]
    public async Task Unanswered_pushes_back_off_from_ten_seconds_doubling_and_an_answer_resets_the_wait()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);

        await StartAsync(userId).Ok();
        Assert.Equal(TimeSpan.FromSeconds(10), await RefusedAsync(await StartAsync(userId)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        await StartAsync(userId).Ok();
        Assert.Equal(TimeSpan.FromSeconds(20), await RefusedAsync(await StartAsync(userId)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TimeSpan.FromSeconds(1), await RefusedAsync(await StartAsync(userId)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await StartAsync(userId).Ok();

        // The user answers: the next sign-in needs no wait.
        await device.AnswerAsync(third.Str("challengeId"), approved: true, third.Has("verificationCode") ? third.Str("verificationCode") : null);
        await StartAsync(userId).Ok();
    }

    [Fact]
    public async Task After_a_rejected_push_the_next_one_needs_the_number_the_web_page_shows()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var first = await StartAsync(userId).Ok();
        Assert.False(first.Has("verificationCode"));
        await device.AnswerAsync(first.Str("challengeId"), approved: false);

        var second = await StartAsync(userId).Ok();

        var code = second.Str("verificationCode");
        Assert.Matches("^[0-9]{2}$", code);
        Assert.True((await device.GetPendingAsync()).GetProperty("verificationCodeRequired").GetBoolean());
        // A tap on "approve" without the number approves nothing.
        Assert.False((await device.AnswerAsync(second.Str("challengeId"), approved: true)).GetProperty("isVerified").GetBoolean());
        var third = await StartAsync(userId).Ok();
        Assert.True((await device.AnswerAsync(third.Str("challengeId"), approved: true, third.Str("verificationCode"))).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_push_from_an_address_the_user_never_approved_from_needs_number_matching()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var home = await StartAsync(userId, "203.0.113.7").Ok();
        Assert.False(home.Has("verificationCode"));
        await device.AnswerAsync(home.Str("challengeId"), approved: true);

        var attacker = await StartAsync(userId, "198.51.100.9").Ok();
        Assert.True(attacker.Has("verificationCode"));
        // Unanswered: it teaches nothing. From home again (past the back-off), no number is needed.
        fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        var again = await StartAsync(userId, "203.0.113.7").Ok();
        Assert.False(again.Has("verificationCode"));
    }

    [Fact]
    public async Task Three_unanswered_pushes_in_a_row_switch_number_matching_on()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        for (var i = 0; i < 3; i++)
        {
            Assert.False((await StartAsync(userId).Ok()).Has("verificationCode"));
            fixture.Clock.Advance(TimeSpan.FromSeconds(40));
        }

        Assert.True((await StartAsync(userId).Ok()).Has("verificationCode"));
    }

    [Fact]
    public async Task This_wasnt_me_pauses_pushes_to_the_user_for_an_hour_and_tells_the_tenant()
    {
        var userId = ApiFixture.NewUserId();
        var (device, authenticatorId) = await _push.EnrollAsync(userId);
        var challengeId = (await StartAsync(userId, "198.51.100.9").Ok()).Str("challengeId");

        var answered = await AnswerWithReasonAsync(device, challengeId, approved: false, "NOT_ME");

        Assert.False(answered.GetProperty("isVerified").GetBoolean());
        var reported = await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains("push.reported", StringComparison.Ordinal)
                                                                 && r.BodyText.Contains(challengeId, StringComparison.Ordinal));
        using var body = JsonDocument.Parse(reported.Body);
        var data = body.RootElement.GetProperty("data");
        Assert.Equal((userId, authenticatorId, "198.51.100.9"), (data.Str("userId"), data.Str("userAuthenticatorId"), data.Str("ipAddress")));
        Assert.True(PushHelpers.SignatureIsValid(reported.Header("X-Signature-V2"), reported.Body, TestTenants.AKey));
        // The attacker tries again, from anywhere: refused for the hour.
        Assert.Equal(TimeSpan.FromHours(1), await RefusedAsync(await StartAsync(userId)));
        fixture.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(TimeSpan.FromMinutes(1), await RefusedAsync(await StartAsync(userId, "203.0.113.7")));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        // Then pushes go again, with the number to match.
        Assert.True((await StartAsync(userId).Ok()).Has("verificationCode"));
    }

    [Fact]
    public async Task An_approval_ignores_a_not_me_reason_and_pauses_nothing()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var challengeId = (await StartAsync(userId).Ok()).Str("challengeId");

        await AnswerWithReasonAsync(device, challengeId, approved: true, "NOT_ME");

        Assert.False((await StartAsync(userId).Ok()).Has("verificationCode"));
    }

    [Fact]
    public async Task Deleting_a_user_forgets_the_pause_and_the_addresses_it_approved_from()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var challengeId = (await StartAsync(userId).Ok()).Str("challengeId");
        await AnswerWithReasonAsync(device, challengeId, approved: false, "NOT_ME");
        await RefusedAsync(await StartAsync(userId));
        await using var redis = await RedisInspector.ConnectAsync(fixture.RedisConfiguration);
        string Key(string part) => $"u:{Challenges.Api.Storage.HashTags.User(TestTenants.A, userId)}:pushguard:{part}";
        Assert.True(await redis.Database.KeyExistsAsync(Key("blocked")));

        (await _push.Server.DeleteAsync($"/v1/users/{userId}")).EnsureSuccessStatusCode();

        foreach (var part in new[] { "unanswered", "matching", "blocked", "known" })
        {
            Assert.False(await redis.Database.KeyExistsAsync(Key(part)));
        }
        await _push.EnrollAsync(userId);
        await StartAsync(userId).Ok();
    }
}
