using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>Client API OTP: enrolment, challenges for each channel, verify with the token's action, authenticators.</summary>
[Collection(ApiCollection.Name)]
public sealed class ClientOtpTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private string SmsCode(string phone) => OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);

    private string EmailCode(string email) => OtpKit.CodeSentTo(fixture.Webhooks, "email.created", email, fixture.Clock);

    private async Task<JsonElement> ValidateAsync(string token) => await _server.PostJson("/v1/validate", new { token }).Ok();

    [Fact]
    public async Task Sms_enrolment_sends_a_code_and_verify_marks_the_authenticator_verified_and_the_action_succeeded()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);

        var enrolled = await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone }).Ok();
        Assert.Equal(userId, enrolled.Str("userId"));
        var authenticatorId = enrolled.Str("userAuthenticatorId");
        Assert.Empty((await client.GetAsync("/v1/client/user-authenticators").Ok()).EnumerateArray());
        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal(userId, data.Str("userId"));
        Assert.Equal("signIn", data.Str("actionCode"));

        var verified = await client.PostJson("/v1/client/verify/sms", new { verificationCode = data.Str("code") }).Ok();

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.False(verified.Has("failureReason"));
        var accessToken = verified.Str("accessToken");
        Assert.NotEqual(token, accessToken);
        var authenticator = verified.GetProperty("userAuthenticator");
        Assert.Equal(authenticatorId, authenticator.Str("userAuthenticatorId"));
        Assert.Equal("SMS", authenticator.Str("verificationMethod"));
        Assert.Equal(phone, authenticator.Str("phoneNumber"));
        Assert.True(authenticator.Has("verifiedAt"));
        Assert.True(authenticator.Has("lastVerifiedAt"));

        var listed = await fixture.BearerClient(accessToken).GetAsync("/v1/client/user-authenticators").Ok();
        var only = Assert.Single(listed.EnumerateArray());
        Assert.Equal(authenticatorId, only.Str("userAuthenticatorId"));
        Assert.EndsWith("Z", only.Str("verifiedAt"), StringComparison.Ordinal);

        var valid = await ValidateAsync(token);
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal("SMS", valid.Str("verificationMethod"));
        Assert.False((await ValidateAsync(accessToken)).GetProperty("isValid").GetBoolean());

        var user = await _server.GetAsync($"/v1/users/{userId}").Ok();
        Assert.True(user.GetProperty("isEnrolled").GetBoolean());
        Assert.Equal(phone, user.Str("phoneNumber"));
        Assert.True(user.GetProperty("phoneNumberVerified").GetBoolean());
    }

    [Fact]
    public async Task Email_enrolment_sends_a_code_and_verify_completes_it()
    {
        var userId = ApiFixture.NewUserId();
        var email = OtpKit.NewEmail();
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);

        var enrolled = await client.PostJson("/v1/client/user-authenticators/email-otp", new { email }).Ok();
        var verified = await client.PostJson("/v1/client/verify/email-otp", new { verificationCode = EmailCode(email) }).Ok();

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        var authenticator = verified.GetProperty("userAuthenticator");
        Assert.Equal(enrolled.Str("userAuthenticatorId"), authenticator.Str("userAuthenticatorId"));
        Assert.Equal("EMAIL_OTP", authenticator.Str("verificationMethod"));
        Assert.Equal(email, authenticator.Str("email"));
        Assert.True((await ValidateAsync(token)).GetProperty("isValid").GetBoolean());
        Assert.True((await _server.GetAsync($"/v1/users/{userId}").Ok()).GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task Sms_enrolment_on_the_whatsapp_channel_sends_by_whatsapp_and_enrols_an_sms_authenticator()
    {
        var phone = OtpKit.NewPhone();
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, ApiFixture.NewUserId()));

        await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone, smsChannel = "WHATSAPP" }).Ok();
        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal("WHATSAPP", data.Str("smsChannel"));

        var verified = await client.PostJson("/v1/client/verify/sms", new { verificationCode = data.Str("code") }).Ok();
        Assert.Equal("SMS", verified.GetProperty("userAuthenticator").Str("verificationMethod"));
    }

    [Fact]
    public async Task Sms_challenge_for_an_enrolled_user_succeeds_once_and_records_lastVerifiedAt()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));
        var token = tracked.Str("token");
        var client = fixture.BearerClient(token);

        var started = await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        Assert.True(Guid.TryParse(started.Str("challengeId"), out _));
        var verified = await client.PostJson("/v1/client/verify/sms", new { verificationCode = SmsCode(phone) }).Ok();

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.False(verified.Has("userAuthenticator"));
        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok();
        Assert.Equal("CHALLENGE_SUCCEEDED", action.Str("state"));
        Assert.True((await ValidateAsync(token)).GetProperty("isValid").GetBoolean());
        Assert.False((await ValidateAsync(token)).GetProperty("isValid").GetBoolean());
        var authenticators = await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        Assert.True(Assert.Single(authenticators.EnumerateArray()).Has("lastVerifiedAt"));
    }

    [Fact]
    public async Task Whatsapp_challenge_uses_the_phone_of_the_sms_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);

        await client.PostAsync("/v1/client/challenge/whatsapp", null).Ok();
        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal("WHATSAPP", data.Str("smsChannel"));

        await client.PostJson("/v1/client/verify/sms", new { verificationCode = data.Str("code") }).Error(HttpStatusCode.NotFound, "not_found");
        var verified = await client.PostJson("/v1/client/verify/whatsapp", new { verificationCode = data.Str("code") }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        var valid = await ValidateAsync(token);
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("WHATSAPP", valid.Str("verificationMethod"));
    }

    [Fact]
    public async Task Email_challenge_for_an_enrolled_user_succeeds()
    {
        var userId = ApiFixture.NewUserId();
        var email = OtpKit.NewEmail();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "EMAIL_OTP", email);
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);

        await client.PostRaw("/v1/client/challenge/email-otp", "").Ok();
        var verified = await client.PostJson("/v1/client/verify/email-otp", new { verificationCode = EmailCode(email) }).Ok();

        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("EMAIL_OTP", (await ValidateAsync(token)).Str("verificationMethod"));
    }

    [Fact]
    public async Task Verify_answers_the_latest_challenge_started_with_the_token()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));

        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var first = SmsCode(phone);
        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var second = SmsCode(phone);

        if (first != second)
        {
            var old = await client.PostJson("/v1/client/verify/sms", new { verificationCode = first }).Ok();
            Assert.Equal("CODE_INVALID_OR_EXPIRED", old.Str("failureReason"));
        }
        Assert.True((await client.PostJson("/v1/client/verify/sms", new { verificationCode = second }).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Adding_an_authenticator_to_an_enrolled_user_needs_the_add_scope()
    {
        var userId = ApiFixture.NewUserId();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", OtpKit.NewPhone());
        var plain = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        var email = OtpKit.NewEmail();

        var description = await plain.PostJson("/v1/client/user-authenticators/email-otp", new { email })
            .Error(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("add:authenticators", description, StringComparison.Ordinal);
        Assert.Equal(0, OtpKit.CountDeliveries(fixture.Webhooks, "email.created", email));

        var scoped = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, body: new { scope = "add:authenticators" }));
        await scoped.PostJson("/v1/client/user-authenticators/email-otp", new { email }).Ok();
        var verified = await scoped.PostJson("/v1/client/verify/email-otp", new { verificationCode = EmailCode(email) }).Ok();
        Assert.Equal("EMAIL_OTP", verified.GetProperty("userAuthenticator").Str("verificationMethod"));
    }

    [Fact]
    public async Task The_token_from_a_successful_verify_may_add_another_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var verified = await client.PostJson("/v1/client/verify/sms", new { verificationCode = SmsCode(phone) }).Ok();

        var fresh = fixture.BearerClient(verified.Str("accessToken"));
        await fresh.PostJson("/v1/client/user-authenticators/email-otp", new { email = OtpKit.NewEmail() }).Ok();
    }

    [Fact]
    public async Task An_unfinished_enrolment_cannot_be_used_to_pass_a_challenge_for_an_enrolled_user()
    {
        var userId = ApiFixture.NewUserId();
        var token = await OtpKit.TrackAsync(_server, userId);
        var client = fixture.BearerClient(token);
        await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = OtpKit.NewPhone() }).Ok();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "EMAIL_OTP", OtpKit.NewEmail());

        var later = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        var description = await later.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.NotFound, "not_found");
        Assert.Contains("SMS", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_codes_fail_the_challenge_and_the_action()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        var client = fixture.BearerClient(tracked.Str("token"));
        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var code = SmsCode(phone);

        var reasons = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var answer = await client.PostJson("/v1/client/verify/sms", new { verificationCode = OtpKit.WrongCode(code) }).Ok();
            Assert.False(answer.GetProperty("isVerified").GetBoolean());
            Assert.False(answer.Has("accessToken"));
            reasons.Add(answer.Str("failureReason"));
        }
        Assert.Equal(4, reasons.Count(r => r == "CODE_INVALID_OR_EXPIRED"));
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", reasons[^1]);

        var right = await client.PostJson("/v1/client/verify/sms", new { verificationCode = code }).Ok();
        Assert.False(right.GetProperty("isVerified").GetBoolean());
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", right.Str("failureReason"));
        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}").Ok();
        Assert.Equal("CHALLENGE_FAILED", action.Str("state"));
        Assert.False((await ValidateAsync(tracked.Str("token"))).GetProperty("isValid").GetBoolean());
        await client.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_client_code_expires_after_ten_minutes_by_the_clock()
    {
        var userId = ApiFixture.NewUserId();
        var email = OtpKit.NewEmail();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "EMAIL_OTP", email);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        await client.PostAsync("/v1/client/challenge/email-otp", null).Ok();
        var code = EmailCode(email);

        // Exactly the code's lifetime: the code is dead; the token (same lifetime, 30 s skew) still authenticates.
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        var answer = await client.PostJson("/v1/client/verify/email-otp", new { verificationCode = code }).Ok();
        Assert.False(answer.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", answer.Str("failureReason"));
    }

    [Fact]
    public async Task A_used_client_code_cannot_be_used_again()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var code = SmsCode(phone);
        Assert.True((await client.PostJson("/v1/client/verify/sms", new { verificationCode = code }).Ok()).GetProperty("isVerified").GetBoolean());

        var again = await client.PostJson("/v1/client/verify/sms", new { verificationCode = code }).Ok();
        Assert.False(again.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", again.Str("failureReason"));
        Assert.False(again.Has("accessToken"));
    }

    [Fact]
    public async Task A_blocked_action_cannot_be_challenged()
    {
        var userId = ApiFixture.NewUserId();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", OtpKit.NewPhone());
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "blockedAction"));

        await client.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.Conflict, "conflict");
        await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = OtpKit.NewPhone() }).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Starting_a_channel_the_user_has_no_authenticator_for_is_not_found()
    {
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, ApiFixture.NewUserId()));
        await client.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.NotFound, "not_found");
        await client.PostAsync("/v1/client/challenge/whatsapp", null).Error(HttpStatusCode.NotFound, "not_found");
        await client.PostAsync("/v1/client/challenge/email-otp", null).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Verify_without_a_started_challenge_is_not_found()
    {
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, ApiFixture.NewUserId()));
        await client.PostJson("/v1/client/verify/sms", new { verificationCode = "123456" }).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Client_challenge_reserves_an_id_for_the_tokens_action_or_for_a_named_action_with_tenant_basic()
    {
        var userId = ApiFixture.NewUserId();
        var bearer = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId, "checkout"));
        var reserved = await bearer.PostAsync("/v1/client/challenge", null).Ok();
        var lookup = await _server.GetAsync($"/v1/challenges?challengeId={reserved.Str("challengeId")}").Ok();
        Assert.Equal("checkout", lookup.Str("action"));
        Assert.False(lookup.Has("verificationMethod"));
        Assert.Empty((await _server.GetAsync($"/v1/challenges?userId={userId}").Ok()).EnumerateObject());

        // Web SDK spelling of tenant Basic: base64 of the percent-encoded tenant id, no colon.
        var web = fixture.AnonymousClient();
        web.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.A)));
        var unbound = await web.PostJson("/v1/client/challenge", new { action = "signIn" }).Ok();
        Assert.NotEqual(reserved.Str("challengeId"), unbound.Str("challengeId"));
        Assert.Equal("signIn", (await _server.GetAsync($"/v1/challenges?challengeId={unbound.Str("challengeId")}").Ok()).Str("action"));

        await fixture.AnonymousClient().PostAsync("/v1/client/challenge", null).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_client_api_needs_a_genuine_token()
    {
        await fixture.AnonymousClient().PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.BearerClient("not.a.token").PostJson("/v1/client/verify/sms", new { verificationCode = "123456" })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.DeviceClient().GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string, string, string> InvalidRequests() => new()
    {
        { "/v1/client/user-authenticators/sms", "", "phoneNumber: is required." },
        { "/v1/client/user-authenticators/sms", """{"phoneNumber":"64270000000"}""", "phoneNumber: must be a phone number in E.164 format" },
        { "/v1/client/user-authenticators/sms", """{"phoneNumber":"+64270000000","smsChannel":"FAX"}""", "smsChannel: must be one of DEFAULT, WHATSAPP." },
        { "/v1/client/user-authenticators/email-otp", "{}", "email: is required." },
        { "/v1/client/user-authenticators/email-otp", """{"email":"someone@"}""", "email: must be a valid email address." },
        { "/v1/client/challenge/sms", """{"smsChannel":"FAX"}""", "smsChannel: must be one of DEFAULT, WHATSAPP." },
        { "/v1/client/verify/sms", "", "verificationCode: is required." },
        { "/v1/client/verify/whatsapp", """{"verificationCode":""}""", "verificationCode: is required." },
        { "/v1/client/verify/email-otp", """{"verificationCode":"12 456"}""", "verificationCode: must be the digits of the code." },
        { "/v1/client/verify/email-otp", """{"verificationCode":123456}""", "verificationCode:" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_client_input_is_refused_naming_the_field(string path, string body, string description)
    {
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, ApiFixture.NewUserId()));
        var actual = await client.PostRaw(path, body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, actual, StringComparison.Ordinal);
    }
}
