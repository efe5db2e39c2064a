using System.Net;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Challenges.Device;

namespace Challenges.Api.Tests.Hosted;

/// <summary>
/// Held requests as a weapon: whoever holds one client token opens many <c>POST /hosted/push/wait</c> at once, each of
/// which would hold a connection and read the store for 20 s. Against a real server process on a real redis-server,
/// with the default share per user (2) and a process cap lowered to 4 (<c>Hosted__MaxHeldPushWaits</c>). A held wait
/// answers only when the challenge settles or after 20 s, so a wait that answers while its challenge is still pending
/// is one that was refused.
/// </summary>
public sealed class HeldPushWaitAttackTests : ServerProcessTest
{
    private const int ProcessCap = 4;

    protected override (string Key, string Value)[] Settings => [("Hosted:MaxHeldPushWaits", ProcessCap.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>A user with an enrolled device, a tracked action's token and a pending push challenge on it.</summary>
    private async Task<(string UserId, DeviceClient Device, string Token, string ChallengeId, string? Number)> PendingPushAsync()
    {
        var userId = ApiFixture.NewUserId();
        var device = Server.NewDevice(TestTenants.A);
        await device.AddCredentialAsync((await Admin.PostJson($"/v1/users/{userId}/actions/enrol", new { }).Ok()).Str("token"), "Phone", "ios");
        var token = (await Admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token");
        var started = await Server.BearerClient(token).PostJson("/v1/client/challenge/push", new { }).Ok();
        return (userId, device, token, started.Str("challengeId"), started.Has("verificationCode") ? started.Str("verificationCode") : null);
    }

    private static List<Task<HttpResponseMessage>> Waits(HttpClient client, string challengeId, int count, CancellationToken cancel = default) =>
        [.. Enumerable.Range(0, count).Select(_ => client.PostAsync("/hosted/push/wait",
            new StringContent(JsonSerializer.Serialize(new { challengeId }), Encoding.UTF8, "application/json"), cancel))];

    /// <summary>Waits for the first <paramref name="count"/> of <paramref name="waits"/> to answer and takes them out of the list.</summary>
    private static async Task<List<HttpResponseMessage>> FirstAnswersAsync(List<Task<HttpResponseMessage>> waits, int count)
    {
        var answers = new List<HttpResponseMessage>();
        while (answers.Count < count)
        {
            var done = await Task.WhenAny(waits);
            waits.Remove(done);
            answers.Add(await done);
        }
        return answers;
    }

    /// <summary>
    /// Fills the user's share: three waits on a pending challenge, of which the first to answer must be the refused
    /// one, so the two left are held. Returns them.
    /// </summary>
    private static async Task<List<Task<HttpResponseMessage>>> HoldTwoAsync(HttpClient client, string challengeId, CancellationToken cancel = default)
    {
        var waits = Waits(client, challengeId, 3, cancel);
        using var refused = (await FirstAnswersAsync(waits, 1))[0];
        await refused.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        return waits;
    }

    private static async Task AssertOneTokenAmong(IEnumerable<Task<HttpResponseMessage>> waits)
    {
        var bodies = await Task.WhenAll(waits.Select(w => w.Ok()));
        var withToken = Assert.Single(bodies, b => b.TryGetProperty("accessToken", out var t) && t.ValueKind == JsonValueKind.String);
        Assert.True(withToken.GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Many_held_waits_with_one_token_are_refused_at_once_beyond_two_and_the_two_held_still_answer_the_approval()
    {
        var (_, device, token, challengeId, number) = await PendingPushAsync();
        using var client = Server.BearerClient(token);

        var waits = Waits(client, challengeId, 10);
        // Eight answer while the challenge is still pending: each is a refusal, not a wait that ran out.
        foreach (var refused in await FirstAnswersAsync(waits, 8))
        {
            await refused.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
            Assert.Equal(TimeSpan.FromSeconds(20), refused.Headers.RetryAfter?.Delta);
            refused.Dispose();
        }
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w => Assert.False(w.IsCompleted, "a wait within the user's share is held until the challenge settles"));

        await device.AnswerAsync(challengeId, approved: true, number);
        await AssertOneTokenAmong(waits);

        // The slots are free again: the next wait on the settled challenge answers at once.
        var again = await client.PostJson("/hosted/push/wait", new { challengeId }).Ok();
        Assert.True(again.GetProperty("isConsumed").GetBoolean());
    }

    [Fact]
    public async Task Another_token_of_the_same_user_shares_the_users_two_slots()
    {
        var (userId, device, token, challengeId, number) = await PendingPushAsync();
        using var first = Server.BearerClient(token);
        var held = await HoldTwoAsync(first, challengeId);

        // A second action of the same user has a token of its own; its wait still counts against the user.
        using var second = Server.BearerClient((await Admin.PostJson($"/v1/users/{userId}/actions/withdraw", new { }).Ok()).Str("token"));
        await second.PostJson("/hosted/push/wait", new { challengeId }).Error(HttpStatusCode.TooManyRequests, "too_many_requests");

        await device.AnswerAsync(challengeId, approved: true, number);
        await AssertOneTokenAmong(held);
    }

    [Fact]
    public async Task Past_the_process_cap_every_user_gets_503_with_retry_after_until_held_waits_end()
    {
        var users = await Task.WhenAll(Enumerable.Range(0, ProcessCap / 2).Select(_ => PendingPushAsync()));
        var clients = users.Select(u => Server.BearerClient(u.Token)).ToList();
        var held = new List<Task<HttpResponseMessage>>();
        foreach (var (client, user) in clients.Zip(users))
        {
            held.AddRange(await HoldTwoAsync(client, user.ChallengeId));
        }
        var (_, lateDevice, lateToken, lateChallenge, lateNumber) = await PendingPushAsync();
        await lateDevice.AnswerAsync(lateChallenge, approved: true, lateNumber);
        using var late = Server.BearerClient(lateToken);

        // Every slot is held: a user with none of them is refused at once, though that user's push is approved.
        using (var refusal = await late.PostJson("/hosted/push/wait", new { challengeId = lateChallenge }))
        {
            await refusal.AssertError(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            Assert.Equal(TimeSpan.FromSeconds(2), refusal.Headers.RetryAfter?.Delta);
        }
        // The page's fallback still gets that user through.
        Assert.True((await late.PostJson("/v1/client/verify/push", new { challengeId = lateChallenge }).Ok()).GetProperty("isVerified").GetBoolean());
        Assert.All(held, w => Assert.False(w.IsCompleted));

        // The held waits answer their users' approvals, and give their slots back.
        foreach (var (_, device, _, challengeId, number) in users)
        {
            await device.AnswerAsync(challengeId, approved: true, number);
        }
        await Task.WhenAll(held);
        Assert.True((await late.PostJson("/hosted/push/wait", new { challengeId = lateChallenge }).Ok()).GetProperty("isConsumed").GetBoolean());
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Held_waits_the_client_walks_away_from_give_their_slots_back()
    {
        var (_, device, token, challengeId, number) = await PendingPushAsync();
        using var client = Server.BearerClient(token);
        using (var leave = new CancellationTokenSource())
        {
            var abandoned = await HoldTwoAsync(client, challengeId, leave.Token);
            await leave.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(abandoned));
        }
        await device.AnswerAsync(challengeId, approved: true, number);

        // The server sees the closed connections a moment later: until then the user's share may still be taken.
        var waited = await client.PostJson("/hosted/push/wait", new { challengeId });
        for (var attempt = 0; waited.StatusCode == HttpStatusCode.TooManyRequests && attempt < 100; attempt++)
        {
            waited.Dispose();
            await Task.Delay(100);
            waited = await client.PostJson("/hosted/push/wait", new { challengeId });
        }
        var body = await Task.FromResult(waited).Ok();
        Assert.True(body.GetProperty("isVerified").GetBoolean());
        Assert.False(string.IsNullOrEmpty(body.Str("accessToken")));
    }
}
