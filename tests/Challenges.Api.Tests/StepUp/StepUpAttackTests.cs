using System.Net;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Challenges.Device;

namespace Challenges.Api.Tests.StepUp;

/// <summary>Attacks on step-up push, each against a real server process and its own Redis.</summary>
public sealed class StepUpAttackTests : ServerProcessTest
{
    private const string Biometric = "/stepup/challenges/push/BIOMETRIC";

    // Every request comes from 127.0.0.1: a high per-address limit, so that only the rule under attack answers; a
    // step-up window of a day, so that none ends during a test.
    protected override (string Key, string Value)[] Settings =>
    [
        ("Tenants:0:Limits:StartsPerIpPerWindow", "100000"),
        ("Tenants:0:Limits:StepUpWindow", "1.00:00:00"),
    ];

    private async Task<string> TrackAsync(string userId, string action = "signIn", object? body = null) =>
        (await Admin.PostJson($"/v1/users/{userId}/actions/{action}", body ?? new { }).Ok()).Str("token");

    private async Task<DeviceClient> EnrolDeviceAsync(string userId)
    {
        var device = Server.NewDevice(TestTenants.A);
        await device.AddCredentialAsync(await TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" }), "Phone", "ios");
        return device;
    }

    private static async Task<HttpResponseMessage> StartAsync(HttpClient user, string path, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.TryAddWithoutValidation("idempotency-ref", reference);
        return await user.SendAsync(request);
    }

    private static async Task<string> ErrorCodeOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"Expected 409, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Str("errorCode");
    }

    private async Task<int> StoredReferencesAsync()
    {
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        return redis.Keys("*stepup-ref*").Count;
    }

    [Fact]
    public async Task Idempotency_references_of_refused_step_ups_cannot_fill_redis()
    {
        // The review's attack: one token, four threads, a fresh reference per request, on a channel the tenant does not offer.
        using var user = Server.BearerClient(await TrackAsync(ApiFixture.NewUserId()));
        var codes = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            using var refused = await StartAsync(user, "/stepup/challenges/push/AUTHY", $"ref-{i}-{Guid.NewGuid():N}");
            codes.Add(await ErrorCodeOf(refused));
        });

        Assert.All(codes, code => Assert.Equal("CHANNEL_NOT_SUPPORTED", code));
        Assert.Equal(0, await StoredReferencesAsync());
    }

    [Fact]
    public async Task A_user_holds_no_more_references_than_step_ups_the_limit_lets_start()
    {
        var userId = ApiFixture.NewUserId();
        var device = await EnrolDeviceAsync(userId);
        using var user = Server.BearerClient(await TrackAsync(userId));

        var started = 0;
        for (var i = 0; i < 12; i++)
        {
            using var response = await StartAsync(user, Biometric, $"ref-{i}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                started++;
                await device.AnswerAsync(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Str("id"), approved: false);
                continue;
            }
            Assert.Equal("CHALLENGE_LIMIT_EXCEEDED", await ErrorCodeOf(response));
        }
        // Five started (the step-up limit) and stored their references; the refused seven stored nothing.
        Assert.Equal(5, started);
        Assert.Equal(5, await StoredReferencesAsync());
    }

    [Fact]
    public async Task A_blocked_action_cannot_step_up()
    {
        var userId = ApiFixture.NewUserId();
        var device = await EnrolDeviceAsync(userId);
        using var blocked = Server.BearerClient(await TrackAsync(userId, "blockedAction"));

        using var refused = await StartAsync(blocked, Biometric, "ref-blocked");
        Assert.Equal("STATE_INVALID", await ErrorCodeOf(refused));
        Assert.False((await device.GetPendingAsync()).Has("challengeId"));
        Assert.Equal(0, await StoredReferencesAsync());
    }

    [Fact]
    public async Task A_failed_or_held_back_action_cannot_step_up()
    {
        var userId = ApiFixture.NewUserId();
        var device = await EnrolDeviceAsync(userId);
        foreach (var state in new[] { "CHALLENGE_FAILED", "REVIEW_REQUIRED", "REVIEW_FAILED" })
        {
            var tracked = await Admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
            await Admin.PatchJson($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}", new { state }).Ok();
            using var user = Server.BearerClient(tracked.Str("token"));

            using var refused = await user.PostAsync(Biometric, null);
            Assert.Equal("STATE_INVALID", await ErrorCodeOf(refused));
        }
        Assert.False((await device.GetPendingAsync()).Has("challengeId"));

        // The same user with an action that lets them in steps up.
        var allowed = Server.BearerClient(await TrackAsync(userId));
        await allowed.PostAsync(Biometric, null).Ok();
    }

    [Fact]
    public async Task A_token_whose_user_was_deleted_cannot_step_up()
    {
        var userId = ApiFixture.NewUserId();
        await EnrolDeviceAsync(userId);
        var token = await TrackAsync(userId);
        await Admin.DeleteAsync($"/v1/users/{userId}").Ok();

        using var refused = await Server.BearerClient(token).PostAsync(Biometric, new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal("STATE_INVALID", await ErrorCodeOf(refused));
    }
}
