using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Push;

namespace Challenges.Api.Tests.Hosted;

/// <summary>
/// The hosted page's long poll (<c>POST /hosted/push/wait</c>) answers as <c>/v1/client/verify/push</c> does. Only
/// settled or refused challenges here: the test server's clock is a fake one, so a pending wait would never end (the
/// browser tests wait on a real process).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostedPushWaitTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    [Fact]
    public async Task Waiting_without_a_client_token_is_refused() =>
        await fixture.AnonymousClient().PostJson("/hosted/push/wait", new { challengeId = Guid.NewGuid().ToString() })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");

    [Fact]
    public async Task Waiting_on_another_users_push_challenge_is_not_found_at_once_and_hands_out_no_token()
    {
        var victim = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(victim);
        var challengeId = await _push.StartChallengeAsync(await _push.TrackAsync(victim));
        await device.AnswerAsync(challengeId, approved: true);

        var attacker = await _push.TrackAsync(ApiFixture.NewUserId());
        var body = await fixture.BearerClient(attacker).PostJson("/hosted/push/wait", new { challengeId }).Error(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain("accessToken", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_challenge_approved_before_the_wait_answers_at_once_with_the_token_once()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);
        await device.AnswerAsync(challengeId, approved: true);

        var waited = await fixture.BearerClient(token).PostJson("/hosted/push/wait", new { challengeId }).Ok();
        Assert.True(waited.GetProperty("isVerified").GetBoolean());
        Assert.False(string.IsNullOrEmpty(waited.Str("accessToken")));
        var again = await fixture.BearerClient(token).PostJson("/hosted/push/wait", new { challengeId }).Ok();
        Assert.True(again.GetProperty("isConsumed").GetBoolean());
        Assert.False(again.TryGetProperty("accessToken", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String);
    }

    [Fact]
    public async Task A_wait_without_a_challenge_id_is_a_validation_error() =>
        await fixture.BearerClient(await _push.TrackAsync(ApiFixture.NewUserId())).PostJson("/hosted/push/wait", new { })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
}
