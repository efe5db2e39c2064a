using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.RateLimiting;

/// <summary>
/// The per-address limit on challenge starts, against a real server process: one rule whatever the method (OTP, a
/// reserved challenge, push, step-up), and IPv6 addresses counted by their /64. Four starts per address here, in a
/// window of a day so that no window ends during the test.
/// </summary>
public sealed class StartLimitAttackTests : ServerProcessTest
{
    protected override (string Key, string Value)[] Settings =>
    [
        ("Tenants:0:Limits:StartsPerIpPerWindow", "4"),
        ("Tenants:0:Limits:IpWindow", "1.00:00:00"),
        // The tests' own connection is the proxy, so X-Forwarded-For names the end user.
        ("Http:KnownProxies:0", "127.0.0.1"),
    ];

    private async Task<string> TrackAsync(string userId, object? body = null) =>
        (await Admin.PostJson($"/v1/users/{userId}/actions/signIn", body ?? new { }).Ok()).Str("token");

    private Task<HttpResponseMessage> ReserveFrom(string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/client/challenge");
        request.Headers.TryAddWithoutValidation("Authorization",
            "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.A + ":")));
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", address);
        return Server.Client().SendAsync(request);
    }

    [Fact]
    public async Task Otp_push_and_step_up_starts_from_one_address_count_against_one_limit()
    {
        var smsUser = ApiFixture.NewUserId();
        await Otp.OtpKit.EnrolVerifiedAsync(Admin, smsUser, "SMS", Otp.OtpKit.NewPhone());
        var pushUser = ApiFixture.NewUserId();
        await Server.NewDevice(TestTenants.A).AddCredentialAsync(await TrackAsync(pushUser, new { scope = "add:authenticators" }), "Phone", "ios");
        using var sms = Server.BearerClient(await TrackAsync(smsUser));
        using var push = Server.BearerClient(await TrackAsync(pushUser));

        await sms.PostAsync("/v1/client/challenge/sms", null).Ok();
        await sms.PostAsync("/v1/client/challenge", null).Ok();
        await push.PostJson("/v1/client/challenge/push", new { }).Ok();
        await push.PostAsync("/stepup/challenges/push/BIOMETRIC", null).Ok();

        await sms.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        await sms.PostAsync("/v1/client/challenge", null).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        await push.PostJson("/v1/client/challenge/push", new { }).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        using var stepUp = await push.PostAsync("/stepup/challenges/push/BIOMETRIC", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, stepUp.StatusCode);
        Assert.Equal("too_many_requests", (await stepUp.Json()).Str("code"));
    }

    [Fact]
    public async Task Addresses_of_one_ipv6_64_count_against_one_limit()
    {
        for (var i = 1; i <= 4; i++)
        {
            await ReserveFrom($"2001:db8:1:2::{i:x}").Ok();
        }
        await ReserveFrom("2001:db8:1:2:ffff:ffff:ffff:fffe").Error(HttpStatusCode.TooManyRequests, "too_many_requests");

        await ReserveFrom("2001:db8:1:3::1").Ok();
        await ReserveFrom("198.51.100.7").Ok();
    }
}
