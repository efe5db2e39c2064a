using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Actions;

/// <summary>Validation is single use, against a real server process: no later claim can make a used token valid again.</summary>
public sealed class ClaimAttackTests : ServerProcessTest
{
    private async Task<bool> ValidateAsync(string token) =>
        (await Admin.PostJson("/v1/validate", new { token }).Ok()).GetProperty("isValid").GetBoolean();

    [Fact]
    public async Task A_claim_reusing_an_actions_idempotency_key_does_not_rearm_its_validated_token()
    {
        var userId = ApiFixture.NewUserId();
        const string key = "signin-once";
        var token = (await Admin.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = key }).Ok()).Str("token");
        await Admin.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();
        Assert.True(await ValidateAsync(token));
        Assert.False(await ValidateAsync(token));

        // A passwordless challenge for the same action and key, verified and claimed for the same user.
        var (challengeId, code) = await OtpKit.PasswordlessSmsAsync(Admin, Webhooks, OtpKit.NewPhone(), key);
        Assert.True((await Admin.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok()).GetProperty("isVerified").GetBoolean());
        var claimed = (await Admin.PostJson("/v1/claim", new { challengeId, userId }).Ok()).Str("token");

        Assert.False(await ValidateAsync(token));
        Assert.False(await ValidateAsync(claimed));
        var action = await Admin.GetAsync($"/v1/users/{userId}/actions/signIn/{key}").Ok();
        Assert.Equal("CHALLENGE_SUCCEEDED", action.Str("state"));
    }

    [Fact]
    public async Task A_claim_under_a_fresh_idempotency_key_validates_once()
    {
        var (challengeId, code) = await OtpKit.PasswordlessSmsAsync(Admin, Webhooks, OtpKit.NewPhone());
        await Admin.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok();
        var claimed = (await Admin.PostJson("/v1/claim", new { challengeId, userId = ApiFixture.NewUserId() }).Ok()).Str("token");

        Assert.True(await ValidateAsync(claimed));
        Assert.False(await ValidateAsync(claimed));
    }
}
