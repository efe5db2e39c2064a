using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;

namespace Challenges.Api.Tests.Totp;

/// <summary>Authenticator apps (docs/contract.md §3.4): enrolment, verify, drift, the Server API's enrolment with otpUri.</summary>
[Collection(ApiCollection.Name)]
public sealed class TotpTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    private async Task<JsonElement> ValidateAsync(string token, HttpClient? server = null) =>
        await (server ?? _server).PostJson("/v1/validate", new { token }).Ok();

    private async Task<HttpClient> SignInAsync(string userId, HttpClient? server = null) =>
        fixture.BearerClient(await OtpKit.TrackAsync(server ?? _server, userId));

    [Fact]
    public async Task Enrolment_answers_an_otpauth_uri_whose_code_verifies_the_app_and_succeeds_the_action()
    {
        var userId = ApiFixture.NewUserId();
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);

        var (enrolled, secret) = await TotpKit.EnrolAsync(client);

        Assert.Equal(userId, enrolled.Str("userId"));
        var base32 = enrolled.Str("secret");
        Assert.Matches("^[A-Z2-7]{32}$", base32);
        Assert.Equal(20, secret.Length);
        Assert.Equal(TotpKit.FromBase32(base32), secret);
        Assert.Equal($"otpauth://totp/{TestTenants.A}:{userId}?secret={base32}&issuer={TestTenants.A}&algorithm=SHA1&digits=6&period=30",
            enrolled.Str("uri"));
        Assert.Empty((await client.GetAsync("/v1/client/user-authenticators").Ok()).EnumerateArray());

        var verified = await TotpKit.VerifyAsync(client, TotpKit.Code(secret, Now));

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        var authenticator = verified.GetProperty("userAuthenticator");
        Assert.Equal(enrolled.Str("userAuthenticatorId"), authenticator.Str("userAuthenticatorId"));
        Assert.Equal("AUTHENTICATOR_APP", authenticator.Str("verificationMethod"));
        Assert.True(authenticator.Has("verifiedAt"));
        var valid = await ValidateAsync(token);
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal("AUTHENTICATOR_APP", valid.Str("verificationMethod"));

        var listed = await fixture.BearerClient(verified.Str("accessToken")).GetAsync("/v1/client/user-authenticators").Ok();
        Assert.Equal("AUTHENTICATOR_APP", Assert.Single(listed.EnumerateArray()).Str("verificationMethod"));
        var raw = await (await _server.GetAsync($"/v1/users/{userId}/authenticators")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(base32, raw, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", raw, StringComparison.OrdinalIgnoreCase);
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));
        Assert.Equal(["AUTHENTICATOR_APP"], tracked.GetProperty("enrolledVerificationMethods").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_issuer_is_the_tenant_name_and_the_account_the_username()
    {
        var tenantB = fixture.ServerClient(TestTenants.BKey);
        var userId = ApiFixture.NewUserId();
        var client = fixture.BearerClient(await OtpKit.TrackAsync(tenantB, userId, body: new { username = "ann@example.com" }));

        var (enrolled, _) = await TotpKit.EnrolAsync(client);

        var issuer = Uri.EscapeDataString(TestTenants.BName);
        Assert.StartsWith($"otpauth://totp/{issuer}:ann%40example.com?secret=", enrolled.Str("uri"), StringComparison.Ordinal);
        Assert.Contains($"&issuer={issuer}&", enrolled.Str("uri"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verified_app_signs_the_user_in_again_without_the_enrolment_and_stamps_lastVerifiedAt()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));

        var verified = await TotpKit.VerifyAsync(fixture.BearerClient(tracked.Str("token")), TotpKit.Code(secret, Now));

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.False(verified.Has("userAuthenticator"));
        Assert.Equal("AUTHENTICATOR_APP", (await ValidateAsync(tracked.Str("token"))).Str("verificationMethod"));
        var app = Assert.Single((await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray());
        Assert.True(app.Has("lastVerifiedAt"));
    }

    [Fact]
    public async Task Enrolling_again_while_pending_replaces_the_secret()
    {
        var userId = ApiFixture.NewUserId();
        var client = await SignInAsync(userId);
        var (first, oldSecret) = await TotpKit.EnrolAsync(client);
        var (second, newSecret) = await TotpKit.EnrolAsync(client);
        Assert.NotEqual(first.Str("userAuthenticatorId"), second.Str("userAuthenticatorId"));

        var old = await TotpKit.VerifyAsync(client, TotpKit.Code(oldSecret, Now));
        Assert.False(old.GetProperty("isVerified").GetBoolean());
        var verified = await TotpKit.VerifyAsync(client, TotpKit.Code(newSecret, Now));

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal(second.Str("userAuthenticatorId"), verified.GetProperty("userAuthenticator").Str("userAuthenticatorId"));
        Assert.Single((await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray());
    }

    [Fact]
    public async Task A_code_one_step_early_or_late_is_accepted_and_two_steps_are_not()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_server, userId);

        foreach (var seconds in new[] { -60, 60 })
        {
            var refused = await TotpKit.VerifyAsync(await SignInAsync(userId), TotpKit.Code(secret, Now.AddSeconds(seconds)));
            Assert.False(refused.GetProperty("isVerified").GetBoolean());
            Assert.Equal("CODE_INVALID_OR_EXPIRED", refused.Str("failureReason"));
        }
        // Older step first: once a step is accepted, no earlier one is.
        foreach (var seconds in new[] { -30, 30 })
        {
            var accepted = await TotpKit.VerifyAsync(await SignInAsync(userId), TotpKit.Code(secret, Now.AddSeconds(seconds)));
            Assert.True(accepted.GetProperty("isVerified").GetBoolean(), $"code of {seconds}s");
        }
    }

    [Fact]
    public async Task The_server_enrols_the_same_otp_uri_once_and_refuses_one_it_cannot_compute()
    {
        var userId = ApiFixture.NewUserId();
        var uri = "otpauth://totp/Example:ann?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30";
        var first = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "AUTHENTICATOR_APP", otpUri = uri }).Ok();
        var again = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "AUTHENTICATOR_APP", otpUri = uri }).Ok();

        Assert.Equal(first.GetProperty("authenticator").Str("userAuthenticatorId"), again.GetProperty("authenticator").Str("userAuthenticatorId"));
        Assert.Equal("AUTHENTICATOR_APP", first.GetProperty("authenticator").Str("verificationMethod"));
        Assert.False(first.Has("recoveryCodes"));
        Assert.Contains("otpUri", await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "AUTHENTICATOR_APP" })
            .Error(HttpStatusCode.BadRequest, "invalid_request"), StringComparison.Ordinal);
        Assert.Contains("otpUri", await _server.PostJson($"/v1/users/{userId}/authenticators",
            new { verificationMethod = "AUTHENTICATOR_APP", otpUri = "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=8" })
            .Error(HttpStatusCode.BadRequest, "invalid_request"), StringComparison.Ordinal);
        Assert.Contains("otpUri", await _server.PostJson($"/v1/users/{userId}/authenticators",
            new { verificationMethod = "AUTHENTICATOR_APP", otpUri = "otpauth://hotp/X:y?secret=JBSWY3DPEHPK3PXP&counter=0" })
            .Error(HttpStatusCode.BadRequest, "invalid_request"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"verificationCode\":\"12ab56\"}")]
    [InlineData("{\"verificationCode\":123456}")]
    [InlineData("{}")]
    [InlineData("{\"verificationCode\":\"1234567890123\"}")]
    [InlineData("[")]
    public async Task A_malformed_verify_is_a_400_and_counts_nothing(string body)
    {
        var userId = ApiFixture.NewUserId();
        await TotpKit.EnrolVerifiedAsync(_server, userId);
        var client = await SignInAsync(userId);

        await client.PostRaw("/v1/client/verify/totp", body).Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_verify_for_a_user_without_an_app_is_a_404()
    {
        var client = await SignInAsync(ApiFixture.NewUserId());
        await client.PostJson("/v1/client/verify/totp", new { verificationCode = "123456" }).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Enrolment_without_a_token_is_a_401()
    {
        await fixture.AnonymousClient().PostAsync("/v1/client/user-authenticators/totp", null).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.BearerClient("not.a.token").PostJson("/v1/client/verify/totp", new { verificationCode = "123456" })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
