using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;

namespace Challenges.Api.Tests.RecoveryCodes;

/// <summary>
/// Recovery codes (docs/contract.md §3.5): tenant B enables them. Issued once with a user's first verified
/// authenticator, stored hashed, each redeemable once as the RECOVERY_CODE method.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class RecoveryCodeTests(ApiFixture fixture)
{
    private readonly HttpClient _tenantB = fixture.ServerClient(TestTenants.BKey);

    private static async Task<JsonElement> EnrolSmsAsync(HttpClient server, string userId) =>
        await server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = OtpKit.NewPhone() }).Ok();

    private async Task<(string UserId, string[] Codes)> UserWithCodesAsync()
    {
        var userId = ApiFixture.NewUserId();
        var enrolled = await EnrolSmsAsync(_tenantB, userId);
        return (userId, enrolled.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray());
    }

    private async Task<(HttpClient Client, JsonElement Tracked)> SignInAsync(string userId)
    {
        var tracked = await _tenantB.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        return (fixture.BearerClient(tracked.Str("token")), tracked);
    }

    private static Task<JsonElement> RedeemAsync(HttpClient client, string code) =>
        client.PostJson("/v1/client/verify/recovery-code", new { verificationCode = code }).Ok();

    [Fact]
    public async Task The_first_verified_enrolment_answers_ten_codes_once_and_later_ones_none()
    {
        var (userId, codes) = await UserWithCodesAsync();

        Assert.Equal(10, codes.Length);
        Assert.All(codes, c => Assert.Matches("^[a-z2-7]{5}-[a-z2-7]{5}$", c));
        Assert.Equal(10, codes.Distinct().Count());
        Assert.False((await EnrolSmsAsync(_tenantB, userId)).Has("recoveryCodes"));
        // A tenant that does not enable them never answers any.
        Assert.False((await EnrolSmsAsync(fixture.ServerClient(), ApiFixture.NewUserId())).Has("recoveryCodes"));
    }

    [Fact]
    public async Task A_code_succeeds_the_action_as_RECOVERY_CODE_once_and_may_add_an_authenticator()
    {
        var (userId, codes) = await UserWithCodesAsync();
        var (client, tracked) = await SignInAsync(userId);
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));

        var redeemed = await RedeemAsync(client, codes[3].ToUpperInvariant().Replace("-", "", StringComparison.Ordinal));

        Assert.True(redeemed.GetProperty("isVerified").GetBoolean());
        var validated = await _tenantB.PostJson("/v1/validate", new { token = tracked.Str("token") }).Ok();
        Assert.Equal("CHALLENGE_SUCCEEDED", validated.Str("state"));
        Assert.Equal("RECOVERY_CODE", validated.Str("verificationMethod"));
        // The follow-up token may enrol a replacement for the lost authenticator.
        await fixture.BearerClient(redeemed.Str("accessToken")).PostAsync("/v1/client/user-authenticators/totp", null).Ok();

        var (again, _) = await SignInAsync(userId);
        var reused = await RedeemAsync(again, codes[3]);
        Assert.False(reused.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", reused.Str("failureReason"));
        Assert.True((await RedeemAsync(again, codes[4])).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Codes_are_stored_only_as_hashes()
    {
        var (userId, codes) = await UserWithCodesAsync();

        await using var redis = await RedisInspector.ConnectAsync(fixture.RedisConfiguration);
        var stored = (string?)await redis.Database.StringGetAsync($"u:{{{TestTenants.B}:{userId}}}:recovery");
        Assert.NotNull(stored);
        Assert.All(codes, c =>
        {
            Assert.DoesNotContain(c, stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(c.Replace("-", "", StringComparison.Ordinal), stored, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Another_users_code_does_not_verify()
    {
        var (_, victimCodes) = await UserWithCodesAsync();
        var (attacker, _) = await UserWithCodesAsync();

        var result = await RedeemAsync((await SignInAsync(attacker)).Client, victimCodes[0]);

        Assert.False(result.GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Guessing_codes_locks_the_action_out_at_the_otp_attempt_limit()
    {
        var (userId, codes) = await UserWithCodesAsync();
        var (client, tracked) = await SignInAsync(userId);

        for (var i = 1; i < 5; i++)
        {
            Assert.Equal("CODE_INVALID_OR_EXPIRED", (await RedeemAsync(client, "aaaaa-aaaaa")).Str("failureReason"));
        }
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", (await RedeemAsync(client, "aaaaa-aaaaa")).Str("failureReason"));
        var right = await RedeemAsync(client, codes[0]);

        Assert.False(right.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CHALLENGE_FAILED",
            (await _tenantB.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok()).Str("state"));
        // The right code was not spent by the locked action.
        Assert.True((await RedeemAsync((await SignInAsync(userId)).Client, codes[0])).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Deleting_the_user_erases_the_codes_and_a_new_first_enrolment_issues_new_ones()
    {
        var (userId, codes) = await UserWithCodesAsync();
        await _tenantB.DeleteAsync($"/v1/users/{userId}");

        await (await SignInAsync(userId)).Client.PostJson("/v1/client/verify/recovery-code", new { verificationCode = codes[0] })
            .Error(HttpStatusCode.NotFound, "not_found");
        var renewed = (await EnrolSmsAsync(_tenantB, userId)).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(10, renewed.Count);
        Assert.Empty(renewed.Intersect(codes));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"verificationCode\":\"abcde-fghij-klmno-pqr\"}")]
    [InlineData("{\"verificationCode\":\"abc$e-fghij\"}")]
    [InlineData("{\"verificationCode\":12345}")]
    public async Task A_malformed_redemption_is_a_400(string body)
    {
        var (userId, _) = await UserWithCodesAsync();
        await (await SignInAsync(userId)).Client.PostRaw("/v1/client/verify/recovery-code", body).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Redeeming_on_a_tenant_that_does_not_enable_them_is_a_400()
    {
        var tracked = await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();
        await fixture.BearerClient(tracked.Str("token")).PostJson("/v1/client/verify/recovery-code", new { verificationCode = "abcde-fghij" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
    }
}
