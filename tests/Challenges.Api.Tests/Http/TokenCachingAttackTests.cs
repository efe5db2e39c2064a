using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// Answers that carry a token must not be kept by a browser or proxy cache, where the next user of the machine or
/// the proxy's operator could read them. Against a real server process.
/// </summary>
public sealed class TokenCachingAttackTests : ServerProcessTest
{
    private static async Task<HttpResponseMessage> AssertNoStore(Task<HttpResponseMessage> call, string what)
    {
        var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode}");
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what} lacks Cache-Control: no-store");
        return response;
    }

    [Fact]
    public async Task Every_answer_that_carries_a_token_says_no_store()
    {
        // Track, and the hosted page the tracked url opens.
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(Admin, userId, "SMS", phone);
        var tracked = await (await AssertNoStore(Admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }), "track")).Json();
        var token = tracked.Str("token");
        await AssertNoStore(Server.Client().GetAsync(new Uri(tracked.Str("url")).PathAndQuery), "hosted page");

        // A client verify hands out an access token.
        using var user = Server.BearerClient(token);
        await user.PostAsync("/v1/client/challenge/sms", null).Ok();
        var code = OtpKit.CodeSentTo(Webhooks, "sms.created", phone, TimeProvider.System);
        await AssertNoStore(user.PostJson("/v1/client/verify/sms", new { verificationCode = code }), "client verify");

        // Passwordless: claim hands out a token.
        var (challengeId, otherCode) = await OtpKit.PasswordlessSmsAsync(Admin, Webhooks, OtpKit.NewPhone());
        await Admin.PostJson("/v1/verify", new { challengeId, verificationCode = otherCode }).Ok();
        await AssertNoStore(Admin.PostJson("/v1/claim", new { challengeId, userId }), "claim");

        // Push: the approved poll and the approved step-up hand out tokens.
        var pushUser = ApiFixture.NewUserId();
        var device = Server.NewDevice(TestTenants.A);
        await device.AddCredentialAsync((await Admin.PostJson($"/v1/users/{pushUser}/actions/enrol", new { }).Ok()).Str("token"), "Phone", "ios");
        using var web = Server.BearerClient((await Admin.PostJson($"/v1/users/{pushUser}/actions/signIn", new { }).Ok()).Str("token"));
        var pushId = (await web.PostJson("/v1/client/challenge/push", new { }).Ok()).Str("challengeId");
        await device.AnswerAsync(pushId, approved: true);
        var polled = await (await AssertNoStore(web.PostJson("/v1/client/verify/push", new { challengeId = pushId }), "push poll")).Json();
        Assert.True(polled.Has("accessToken"));
        var stepUpId = (await web.PostAsync("/stepup/challenges/push/BIOMETRIC", null).Ok()).Str("id");
        await device.AnswerAsync(stepUpId, approved: true);
        var status = await (await AssertNoStore(web.GetAsync($"/stepup/challenges/{stepUpId}"), "step-up status")).Json();
        Assert.True(status.Has("stepUpToken"));
    }
}
