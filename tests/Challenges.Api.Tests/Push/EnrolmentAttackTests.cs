using System.Net;
using Challenges.Api.Actions;
using Challenges.Api.Users;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>
/// Attacks on enrolment with a client token, against a real server process and its own Redis: every method (push,
/// SMS, email) follows the same rules, so each attack is tried with each of them.
/// </summary>
public sealed class EnrolmentAttackTests : ServerProcessTest
{
    protected override (string Key, string Value)[] Settings => [("Tenants:0:Limits:StartsPerIpPerWindow", "100000")];

    private async Task<System.Text.Json.JsonElement> TrackAsync(string userId, string action = "addAuthenticator") =>
        await Admin.PostJson($"/v1/users/{userId}/actions/{action}", new { scope = "add:authenticators" }).Ok();

    /// <summary>One enrolment of each method with the token: push, SMS and email, as raw answers.</summary>
    private async Task<IReadOnlyList<(string Method, HttpResponseMessage Response, DeviceClient Device)>> EnrolEveryMethodAsync(string token)
    {
        var client = Server.BearerClient(token);
        var device = Server.NewDevice(TestTenants.A);
        return
        [
            ("push", await client.PostJson("/v1/client/user-authenticators/push",
                new { publicKey = device.PublicKey, deviceName = "Attacker phone", devicePlatform = "android" }), device),
            ("sms", await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = OtpKit.NewPhone() }), device),
            ("email", await client.PostJson("/v1/client/user-authenticators/email-otp", new { email = OtpKit.NewEmail() }), device),
        ];
    }

    private async Task AssertNoAuthenticatorsAsync(string userId, DeviceClient device)
    {
        var user = await Admin.GetAsync($"/v1/users/{userId}").Ok();
        Assert.False(user.GetProperty("isEnrolled").GetBoolean());
        Assert.Equal(0, (await Admin.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
        var unknown = await Assert.ThrowsAsync<DeviceApiException>(() => device.GetCredentialAsync());
        Assert.Equal(400, unknown.Status);
        Assert.Contains("invalid_credential", unknown.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blocked_action_cannot_register_a_push_device_or_any_other_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var token = (await TrackAsync(userId, "blockedAction")).Str("token");

        var answers = await EnrolEveryMethodAsync(token);
        foreach (var (_, response, _) in answers)
        {
            var description = await response.AssertError(HttpStatusCode.Conflict, "conflict");
            Assert.Contains("BLOCK", description, StringComparison.Ordinal);
        }
        await AssertNoAuthenticatorsAsync(userId, answers[0].Device);
    }

    [Fact]
    public async Task A_failed_challenge_cannot_be_rescued_by_registering_a_push_device()
    {
        var userId = ApiFixture.NewUserId();
        var tracked = await TrackAsync(userId);
        await Admin.PatchJson($"/v1/users/{userId}/actions/addAuthenticator/{tracked.Str("idempotencyKey")}", new { state = "CHALLENGE_FAILED" }).Ok();

        var answers = await EnrolEveryMethodAsync(tracked.Str("token"));
        foreach (var (_, response, _) in answers)
        {
            await response.AssertError(HttpStatusCode.Conflict, "conflict");
        }
        await AssertNoAuthenticatorsAsync(userId, answers[0].Device);
        // No action was moved by the attempts either.
        var action = await Admin.GetAsync($"/v1/users/{userId}/actions/addAuthenticator/{tracked.Str("idempotencyKey")}").Ok();
        Assert.Equal("CHALLENGE_FAILED", action.Str("state"));
    }

    [Fact]
    public async Task A_deleted_user_is_not_recreated_by_a_push_registration()
    {
        var userId = ApiFixture.NewUserId();
        var token = (await TrackAsync(userId)).Str("token");
        await Admin.PatchJson($"/v1/users/{userId}", new { email = "victim@example.com" }).Ok();
        await Admin.DeleteAsync($"/v1/users/{userId}").Ok();

        var answers = await EnrolEveryMethodAsync(token);
        foreach (var (_, response, _) in answers)
        {
            await response.AssertError(HttpStatusCode.NotFound, "not_found");
        }
        await AssertNoAuthenticatorsAsync(userId, answers[0].Device);
    }

    [Fact]
    public async Task An_action_that_outlived_its_users_deletion_cannot_enrol()
    {
        // A track racing the deletion: the action is written back after the user's actions were deleted.
        var userId = ApiFixture.NewUserId();
        var tracked = await TrackAsync(userId);
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        var actionKey = ActionStore.KeyOf(new ActionRef(TestTenants.A, userId, "addAuthenticator", tracked.Str("idempotencyKey")));
        var raw = (string?)await redis.Database.StringGetAsync(actionKey);
        Assert.NotNull(raw);
        await Admin.DeleteAsync($"/v1/users/{userId}").Ok();
        Assert.True(await redis.Database.StringSetAsync(actionKey, raw));

        var answers = await EnrolEveryMethodAsync(tracked.Str("token"));
        foreach (var (_, response, _) in answers)
        {
            var description = await response.AssertError(HttpStatusCode.NotFound, "not_found");
            Assert.Contains("deleted", description, StringComparison.Ordinal);
        }
        await AssertNoAuthenticatorsAsync(userId, answers[0].Device);

        // Tracked again after the deletion, the user enrols as a new one.
        var fresh = Server.NewDevice(TestTenants.A);
        await fresh.AddCredentialAsync((await TrackAsync(userId)).Str("token"), "New phone", "ios");
    }

    [Fact]
    public async Task An_eleventh_push_device_is_refused_and_the_user_document_stays_small()
    {
        var userId = ApiFixture.NewUserId();
        var token = (await TrackAsync(userId)).Str("token");
        for (var i = 0; i < 10; i++)
        {
            await Server.NewDevice(TestTenants.A).AddCredentialAsync(token, $"Phone {i} " + new string('x', 200), "android", new string('t', 4000));
        }

        var eleventh = Server.NewDevice(TestTenants.A);
        var refused = await Assert.ThrowsAsync<DeviceApiException>(() => eleventh.AddCredentialAsync(token, "One more", "ios"));
        Assert.Equal(409, refused.Status);
        Assert.Contains("\"error\":\"conflict\"", refused.Body, StringComparison.Ordinal);
        Assert.Contains("10 PUSH authenticators", refused.Body, StringComparison.Ordinal);

        // Fifty more attempts change nothing: ten devices, ten device keys, one bounded document.
        for (var i = 0; i < 50; i++)
        {
            await Assert.ThrowsAsync<DeviceApiException>(() => Server.NewDevice(TestTenants.A).AddCredentialAsync(token, "More", "ios"));
        }
        Assert.Equal(10, (await Admin.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        Assert.Equal(10, redis.Keys($"d:{{{TestTenants.A}:*}}").Count);
        Assert.InRange(await redis.SizeAsync(UserStore.KeyOf(TestTenants.A, userId)), 1, 64 * 1024);
    }

    [Fact]
    public async Task Authenticators_are_capped_per_method_and_per_user_for_the_server_api_too()
    {
        var userId = ApiFixture.NewUserId();
        var methods = new[] { ("SMS", "phoneNumber"), ("WHATSAPP", "phoneNumber"), ("EMAIL_OTP", "email") };
        foreach (var (method, field) in methods)
        {
            for (var i = 0; i < 5; i++)
            {
                await OtpKit.EnrolVerifiedAsync(Admin, userId, method, field == "email" ? OtpKit.NewEmail() : OtpKit.NewPhone());
            }
            var sixth = await Admin.PostJson($"/v1/users/{userId}/authenticators",
                new Dictionary<string, string> { ["verificationMethod"] = method, [field] = field == "email" ? OtpKit.NewEmail() : OtpKit.NewPhone() })
                .Error(HttpStatusCode.Conflict, "conflict");
            Assert.Contains($"5 {method} authenticators", sixth, StringComparison.Ordinal);
        }
        // Fifteen of the twenty allowed: five push devices more fill the user.
        var token = (await TrackAsync(userId)).Str("token");
        for (var i = 0; i < 5; i++)
        {
            await Server.NewDevice(TestTenants.A).AddCredentialAsync(token, $"Phone {i}", "ios");
        }
        var full = await Assert.ThrowsAsync<DeviceApiException>(() => Server.NewDevice(TestTenants.A).AddCredentialAsync(token, "One more", "ios"));
        Assert.Equal(409, full.Status);
        Assert.Contains("20 authenticators", full.Body, StringComparison.Ordinal);
        // Enrolling a destination the user already has is no addition and stays possible.
        var again = await Admin.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        var phone = again.EnumerateArray().First(a => a.Str("verificationMethod") == "SMS").Str("phoneNumber");
        await OtpKit.EnrolVerifiedAsync(Admin, userId, "SMS", phone);
    }
}
