using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>Server API passwordless OTP: initiate, the signed webhook with the code, verify, claim, validate.</summary>
[Collection(ApiCollection.Name)]
public sealed class ServerOtpTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private Task<JsonElement> InitiateAsync(object body) => _server.PostJson("/v1/challenge", body).Ok();

    [Fact]
    public async Task Server_sms_challenge_delivers_a_signed_sms_created_webhook_whose_code_verifies_claims_and_validates_once()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signInWithSms", phoneNumber = phone, locale = "en" });

        var challengeId = started.Str("challengeId");
        var idempotencyKey = started.Str("idempotencyKey");
        Assert.True(Guid.TryParse(idempotencyKey, out _));
        Assert.Equal(fixture.Clock.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), started.GetProperty("expiresAt").GetInt64());

        var webhook = OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        var envelope = OtpKit.Envelope(webhook);
        Assert.Equal("POST", webhook.Method);
        Assert.Equal(TestTenants.A, envelope.Str("tenantId"));
        Assert.Equal("https://challenges.test", envelope.Str("source"));
        var data = envelope.GetProperty("data");
        Assert.All(data.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        Assert.Matches("^[0-9]{6}$", data.Str("code"));
        Assert.Equal("signInWithSms", data.Str("actionCode"));
        Assert.Equal(idempotencyKey, data.Str("idempotencyKey"));
        Assert.Equal("en", data.Str("locale"));
        Assert.False(data.Has("userId"));
        Assert.False(data.Has("smsChannel"));

        var verified = await _server.PostJson("/v1/verify", new { challengeId, verificationCode = data.Str("code") }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("SMS", verified.Str("verificationMethod"));
        Assert.Equal(phone, verified.Str("phoneNumber"));
        Assert.False(verified.Has("failureReason"));

        var userId = ApiFixture.NewUserId();
        var claimed = await _server.PostJson("/v1/claim", new { challengeId, userId }).Ok();
        Assert.Equal("SMS", claimed.Str("verificationMethod"));

        var valid = await _server.PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal(userId, valid.Str("userId"));
        Assert.Equal("signInWithSms", valid.Str("actionCode"));
        Assert.Equal("signInWithSms", valid.Str("action"));
        Assert.Equal(idempotencyKey, valid.Str("idempotencyKey"));
        Assert.Equal("SMS", valid.Str("verificationMethod"));

        var again = await _server.PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok();
        Assert.False(again.GetProperty("isValid").GetBoolean());

        var action = await _server.GetAsync($"/v1/users/{userId}/actions/signInWithSms/{idempotencyKey}").Ok();
        Assert.Equal("CHALLENGE_SUCCEEDED", action.Str("state"));
        Assert.Equal("SMS", action.Str("verificationMethod"));
    }

    [Fact]
    public async Task Server_whatsapp_challenge_sends_sms_created_with_the_whatsapp_channel_and_verifies()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "WHATSAPP", action = "signIn", phoneNumber = phone });

        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal("WHATSAPP", data.Str("smsChannel"));

        var lookup = await _server.GetAsync($"/v1/challenges?challengeId={started.Str("challengeId")}").Ok();
        Assert.Equal("WHATSAPP", lookup.Str("verificationMethod"));
        Assert.Equal("WHATSAPP", lookup.Str("smsChannel"));
        Assert.Equal(phone, lookup.Str("phoneNumber"));

        var verified = await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = data.Str("code") }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("WHATSAPP", verified.Str("verificationMethod"));

        var userId = ApiFixture.NewUserId();
        var claimed = await _server.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId }).Ok();
        Assert.Equal("WHATSAPP", claimed.Str("verificationMethod"));
        var valid = await _server.PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("WHATSAPP", valid.Str("verificationMethod"));
    }

    [Fact]
    public async Task Server_sms_challenge_on_the_whatsapp_sms_channel_is_sent_by_whatsapp()
    {
        var phone = OtpKit.NewPhone();
        await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, smsChannel = "WHATSAPP" });

        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal("WHATSAPP", data.Str("smsChannel"));
    }

    [Fact]
    public async Task Server_email_challenge_delivers_a_signed_email_created_webhook_whose_code_verifies_claims_and_validates()
    {
        var email = OtpKit.NewEmail();
        var started = await InitiateAsync(new { verificationMethod = "EMAIL_OTP", action = "signInWithEmail", email });

        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "email.created", email, fixture.Clock));
        Assert.Equal("EMAIL_OTP", data.Str("verificationMethod"));
        Assert.Equal("signInWithEmail", data.Str("actionCode"));
        Assert.Equal(started.Str("idempotencyKey"), data.Str("idempotencyKey"));

        var verified = await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = data.Str("code") }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("EMAIL_OTP", verified.Str("verificationMethod"));
        Assert.Equal(email, verified.Str("email"));
        Assert.False(verified.Has("phoneNumber"));

        var claimed = await _server.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId = ApiFixture.NewUserId() }).Ok();
        Assert.Equal("EMAIL_OTP", claimed.Str("verificationMethod"));
        var valid = await _server.PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
    }

    [Fact]
    public async Task A_challenge_started_for_a_user_names_the_user_in_the_webhook_and_cannot_be_claimed_by_another()
    {
        var phone = OtpKit.NewPhone();
        var userId = ApiFixture.NewUserId();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, userId, idempotencyKey = "idem-" + userId });
        Assert.Equal("idem-" + userId, started.Str("idempotencyKey"));
        var data = OtpKit.Data(OtpKit.LastDelivery(fixture.Webhooks, "sms.created", phone, fixture.Clock));
        Assert.Equal(userId, data.Str("userId"));
        await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = data.Str("code") }).Ok();

        await _server.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId = ApiFixture.NewUserId() })
            .Error(HttpStatusCode.Conflict, "conflict");
        var claimed = await _server.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId }).Ok();
        Assert.Equal(3, claimed.Str("token").Split('.').Length);
    }

    [Fact]
    public async Task An_unverified_challenge_cannot_be_claimed_and_a_claimed_one_cannot_be_claimed_again()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        var challengeId = started.Str("challengeId");
        var userId = ApiFixture.NewUserId();

        var description = await _server.PostJson("/v1/claim", new { challengeId, userId }).Error(HttpStatusCode.Conflict, "conflict");
        Assert.Contains("not been verified", description, StringComparison.Ordinal);

        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        await _server.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok();
        await _server.PostJson("/v1/claim", new { challengeId, userId }).Ok();
        description = await _server.PostJson("/v1/claim", new { challengeId, userId }).Error(HttpStatusCode.Conflict, "conflict");
        Assert.Contains("already been claimed", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_with_skipVerificationCheck_binds_an_unverified_challenge()
    {
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() });
        var claimed = await _server.PostJson("/v1/claim",
            new { challengeId = started.Str("challengeId"), userId = ApiFixture.NewUserId(), skipVerificationCheck = true }).Ok();
        var valid = await _server.PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
    }

    [Fact]
    public async Task Verify_and_claim_of_an_unknown_challenge_are_not_found()
    {
        await _server.PostJson("/v1/verify", new { challengeId = Guid.NewGuid().ToString(), verificationCode = "123456" })
            .Error(HttpStatusCode.NotFound, "not_found");
        await _server.PostJson("/v1/claim", new { challengeId = Guid.NewGuid().ToString(), userId = "u1" })
            .Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_wrong_code_is_not_verified_and_says_why_without_the_destination()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);

        var verified = await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = OtpKit.WrongCode(code) }).Ok();
        Assert.False(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", verified.Str("failureReason"));
        Assert.False(verified.Has("phoneNumber"));
    }

    [Fact]
    public async Task A_used_code_cannot_be_used_again()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        var body = new { challengeId = started.Str("challengeId"), verificationCode = code };
        Assert.True((await _server.PostJson("/v1/verify", body).Ok()).GetProperty("isVerified").GetBoolean());

        var again = await _server.PostJson("/v1/verify", body).Ok();
        Assert.False(again.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", again.Str("failureReason"));
    }

    [Fact]
    public async Task A_code_expires_ten_minutes_after_it_was_sent()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        var verified = await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        Assert.False(verified.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", verified.Str("failureReason"));
        var lookup = await _server.GetAsync($"/v1/challenges?challengeId={started.Str("challengeId")}").Ok();
        Assert.False(lookup.Has("challengeId"));
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_challenge_even_for_the_right_code()
    {
        var phone = OtpKit.NewPhone();
        var started = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        var wrong = new { challengeId = started.Str("challengeId"), verificationCode = OtpKit.WrongCode(code) };

        var reasons = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            reasons.Add((await _server.PostJson("/v1/verify", wrong).Ok()).Str("failureReason"));
        }
        Assert.Equal(["CODE_INVALID_OR_EXPIRED", "CODE_INVALID_OR_EXPIRED", "CODE_INVALID_OR_EXPIRED", "CODE_INVALID_OR_EXPIRED", "MAX_ATTEMPTS_EXCEEDED"], reasons);

        var right = await _server.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        Assert.False(right.GetProperty("isVerified").GetBoolean());
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", right.Str("failureReason"));
        await _server.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId = "u", skipVerificationCheck = true })
            .Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Get_challenge_finds_a_users_latest_pending_challenge_by_query_or_by_post()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, userId });
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var latest = await InitiateAsync(new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, userId });
        await InitiateAsync(new { verificationMethod = "EMAIL_OTP", action = "other", email = OtpKit.NewEmail(), userId });

        var found = await _server.GetAsync($"/v1/challenges?userId={userId}&action=signIn&verificationMethod=SMS").Ok();
        Assert.Equal(latest.Str("challengeId"), found.Str("challengeId"));
        Assert.Equal(latest.GetProperty("expiresAt").GetInt64(), found.GetProperty("expiresAt").GetInt64());
        Assert.Equal("SMS", found.Str("verificationMethod"));
        Assert.Equal("DEFAULT", found.Str("smsChannel"));
        Assert.Equal(phone, found.Str("phoneNumber"));
        Assert.Equal("signIn", found.Str("action"));

        var posted = await _server.PostJson("/v1/challenges", new { userId, action = "signIn", verificationMethod = "SMS" }).Ok();
        Assert.Equal(latest.Str("challengeId"), posted.Str("challengeId"));
        var postedByQuery = await _server.PostAsync($"/v1/challenges?challengeId={latest.Str("challengeId")}", null).Ok();
        Assert.Equal(latest.Str("challengeId"), postedByQuery.Str("challengeId"));

        var none = await _server.GetAsync($"/v1/challenges?userId={userId}&action=nothing").Ok();
        Assert.Empty(none.EnumerateObject());
    }

    [Fact]
    public async Task A_method_the_tenant_does_not_allow_is_refused()
    {
        await using var factory = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock,
            new Dictionary<string, string?> { ["Tenants:0:VerificationMethods:0"] = "SMS" });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = _server.DefaultRequestHeaders.Authorization;

        var description = await client.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email = OtpKit.NewEmail() })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("verificationMethod:", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_api_needs_a_secret_key()
    {
        await fixture.AnonymousClient().PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "a", phoneNumber = OtpKit.NewPhone() })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.DeviceClient().PostJson("/v1/verify", new { challengeId = "x", verificationCode = "123456" })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string, string, string> InvalidRequests() => new()
    {
        { "/v1/challenge", "", "verificationMethod: is required." },
        { "/v1/challenge", "{}", "verificationMethod: is required." },
        { "/v1/challenge", """{"verificationMethod":"PUSH","action":"a"}""", "verificationMethod: must be one of SMS, WHATSAPP, EMAIL_OTP." },
        { "/v1/challenge", """{"verificationMethod":5}""", "verificationMethod:" },
        { "/v1/challenge", """{"verificationMethod":"SMS","phoneNumber":"+64270000000"}""", "action: is required." },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a"}""", "phoneNumber: is required for SMS and WHATSAPP." },
        { "/v1/challenge", """{"verificationMethod":"WHATSAPP","action":"a"}""", "phoneNumber: is required for SMS and WHATSAPP." },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"0270000000"}""", "phoneNumber: must be a phone number in E.164 format" },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"+64 27 000 0000"}""", "phoneNumber: must be a phone number in E.164 format" },
        { "/v1/challenge", """{"verificationMethod":"EMAIL_OTP","action":"a"}""", "email: is required for EMAIL_OTP." },
        { "/v1/challenge", """{"verificationMethod":"EMAIL_OTP","action":"a","email":"not-an-email"}""", "email: must be a valid email address." },
        { "/v1/challenge", """{"verificationMethod":"EMAIL_OTP","action":"a","email":"a@b.c\r\nBcc: x@y.z"}""", "email: must be a valid email address." },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"+64270000000","smsChannel":"PIGEON"}""", "smsChannel: must be one of DEFAULT, WHATSAPP." },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"+64270000000","ipAddress":"nope"}""", "ipAddress: must be an IPv4 or IPv6 address." },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"+64270000000","scope":"admin"}""", "scope: must be space separated values" },
        { "/v1/challenge", """{"verificationMethod":"SMS","action":"a","phoneNumber":"+64270000000","custom":[1]}""", "custom: must be a JSON object." },
        { "/v1/verify", "{}", "challengeId: is required." },
        { "/v1/verify", """{"challengeId":"c1"}""", "verificationCode: is required." },
        { "/v1/verify", """{"challengeId":"c1","verificationCode":"12ab56"}""", "verificationCode: must be the digits of the code." },
        { "/v1/claim", "{}", "challengeId: is required." },
        { "/v1/claim", """{"challengeId":"c1"}""", "userId: is required." },
        { "/v1/challenges", "{}", "challengeId: is required unless userId is given." },
        { "/v1/challenges", """{"userId":"u1","verificationMethod":"PUSH"}""", "verificationMethod: must be one of SMS, WHATSAPP, EMAIL_OTP." },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_input_is_refused_naming_the_field(string path, string body, string description)
    {
        var actual = await _server.PostRaw(path, body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_challenge_without_an_id_or_user_is_refused_naming_the_field()
    {
        var actual = await _server.GetAsync("/v1/challenges").Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("challengeId: is required unless userId is given.", actual);
    }
}
