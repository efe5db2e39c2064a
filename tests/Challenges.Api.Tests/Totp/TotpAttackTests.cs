using System.Net;
using System.Text;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tokens;
using Challenges.Api.Totp;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tests.Totp;

/// <summary>What an end user, another user or another tenant could try with an authenticator app, against a real server.</summary>
[Collection(ApiCollection.Name)]
public sealed class TotpAttackTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private async Task<HttpClient> SignInAsync(string userId, HttpClient? server = null) =>
        fixture.BearerClient(await OtpKit.TrackAsync(server ?? _server, userId));

    [Fact]
    public async Task Replaying_an_accepted_code_for_another_action_is_refused()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var code = TotpKit.Code(secret, Now);
        Assert.True((await TotpKit.VerifyAsync(await SignInAsync(userId), code)).GetProperty("isVerified").GetBoolean());

        var token = await OtpKit.TrackAsync(_server, userId);
        var replayed = await TotpKit.VerifyAsync(fixture.BearerClient(token), code);

        Assert.False(replayed.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", replayed.Str("failureReason"));
        Assert.False(replayed.Has("accessToken"));
        Assert.False((await _server.PostJson("/v1/validate", new { token }).Ok()).GetProperty("isValid").GetBoolean());
        // The previous step's code is also spent: only a later step is accepted now.
        Assert.False((await TotpKit.VerifyAsync(fixture.BearerClient(token), TotpKit.Code(secret, Now.AddSeconds(-30))))
            .GetProperty("isVerified").GetBoolean());
        Assert.True((await TotpKit.VerifyAsync(fixture.BearerClient(token), TotpKit.Code(secret, Now.AddSeconds(30))))
            .GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Replaying_the_same_code_concurrently_verifies_exactly_once()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SignInAsync(userId)));
        var code = TotpKit.Code(secret, Now);

        var results = await Task.WhenAll(clients.Select(c => TotpKit.VerifyAsync(c, code)));

        Assert.Equal(1, results.Count(r => r.GetProperty("isVerified").GetBoolean()));
    }

    [Fact]
    public async Task Wrong_codes_lock_the_action_out_at_the_otp_attempt_limit_and_the_right_code_then_fails()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        var client = fixture.BearerClient(tracked.Str("token"));
        var wrong = TotpKit.WrongCode(secret, Now);

        for (var i = 1; i < 5; i++)
        {
            Assert.Equal("CODE_INVALID_OR_EXPIRED", (await TotpKit.VerifyAsync(client, wrong)).Str("failureReason"));
        }
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", (await TotpKit.VerifyAsync(client, wrong)).Str("failureReason"));
        var right = await TotpKit.VerifyAsync(client, TotpKit.Code(secret, Now));

        Assert.False(right.GetProperty("isVerified").GetBoolean());
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", right.Str("failureReason"));
        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok();
        Assert.Equal("CHALLENGE_FAILED", action.Str("state"));
        // The lock-out is the action's: a new sign-in may verify (the right code was not spent by the locked action).
        Assert.True((await TotpKit.VerifyAsync(await SignInAsync(userId), TotpKit.Code(secret, Now))).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_code_of_one_users_app_does_not_verify_another_user()
    {
        var victim = ApiFixture.NewUserId();
        var attacker = ApiFixture.NewUserId();
        var victimSecret = await TotpKit.EnrolVerifiedAsync(_server, victim);
        await TotpKit.EnrolVerifiedAsync(_server, attacker);

        var result = await TotpKit.VerifyAsync(await SignInAsync(attacker), TotpKit.Code(victimSecret, Now));

        Assert.False(result.GetProperty("isVerified").GetBoolean());
        // The victim's code was not spent by the attempt.
        Assert.True((await TotpKit.VerifyAsync(await SignInAsync(victim), TotpKit.Code(victimSecret, Now))).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_user_of_another_tenant_with_the_same_id_has_no_app()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);

        var otherTenant = await SignInAsync(userId, fixture.ServerClient(TestTenants.BKey));
        await otherTenant.PostJson("/v1/client/verify/totp", new { verificationCode = TotpKit.Code(secret, Now) })
            .Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public void A_sealed_secret_does_not_open_for_another_tenant_user_or_authenticator_nor_under_another_server_secret()
    {
        var codes = Codes(TestTenants.SigningKey);
        var secret = TotpCodes.NewSecret();
        var sealedSecret = codes.Seal("tenant-a", "ann", "app-1", secret);

        Assert.Equal(secret, codes.Open("tenant-a", "ann", "app-1", sealedSecret));
        Assert.DoesNotContain(TotpCodes.Base32(secret), sealedSecret, StringComparison.Ordinal);
        Assert.Null(codes.Open("tenant-b", "ann", "app-1", sealedSecret));
        Assert.Null(codes.Open("tenant-a", "bob", "app-1", sealedSecret));
        Assert.Null(codes.Open("tenant-a", "ann", "app-2", sealedSecret));
        Assert.Null(Codes("another-signing-key-0123456789abcdef0123456789").Open("tenant-a", "ann", "app-1", sealedSecret));
        Assert.Null(codes.Open("tenant-a", "ann", "app-1", sealedSecret.Replace("\"Data\":\"", "\"Data\":\"A", StringComparison.Ordinal)));
    }

    private static TotpCodes Codes(string signingKey) =>
        new(new SigningKeyProvider(Options.Create(new TokenOptions { SigningKey = signingKey }), NullLogger<SigningKeyProvider>.Instance));

    [Fact]
    public async Task An_enrolled_user_cannot_add_an_app_without_add_authenticators()
    {
        var userId = ApiFixture.NewUserId();
        await TotpKit.EnrolVerifiedAsync(_server, userId);

        await (await SignInAsync(userId)).PostAsync("/v1/client/user-authenticators/totp", null).Error(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_pending_app_cannot_be_verified_by_a_token_that_may_not_enrol()
    {
        // The user enrols a second app with a follow-up token; a plain sign-in token then checks only the verified app.
        var userId = ApiFixture.NewUserId();
        var verifiedSecret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var followUp = (await TotpKit.VerifyAsync(await SignInAsync(userId), TotpKit.Code(verifiedSecret, Now))).Str("accessToken");
        var (_, pendingSecret) = await TotpKit.EnrolAsync(fixture.BearerClient(followUp));

        var plain = await SignInAsync(userId);
        Assert.False((await TotpKit.VerifyAsync(plain, TotpKit.Code(pendingSecret, Now))).GetProperty("isVerified").GetBoolean());
        Assert.True((await TotpKit.VerifyAsync(plain, TotpKit.Code(verifiedSecret, Now.AddSeconds(30)))).GetProperty("isVerified").GetBoolean());
        Assert.Single((await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray(), a => a.Has("verifiedAt"));
    }

    [Fact]
    public async Task A_blocked_action_cannot_be_verified_with_a_right_code()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "blockedAction"));

        await client.PostJson("/v1/client/verify/totp", new { verificationCode = TotpKit.Code(secret, Now) }).Error(HttpStatusCode.Conflict, "conflict");
    }
}
