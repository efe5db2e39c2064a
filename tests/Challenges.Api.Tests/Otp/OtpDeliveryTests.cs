using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tests.Otp;

/// <summary>OTP delivery by provider: Twilio's REST API against a local listener, webhook refusals, start-up checks (SMTP: <see cref="SmtpDeliveryTests"/>).</summary>
[Collection(ApiCollection.Name)]
public sealed partial class OtpDeliveryTests(ApiFixture fixture)
{
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    private const string AuthToken = "twilio-auth-token-for-tests";

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();

    private ChallengesFactory Server(Dictionary<string, string?> extra) => new(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock, extra);


    private static Dictionary<string, string?> TwilioSettings(WebhookListener twilio) => new()
    {
        ["Tenants:0:Delivery:Sms"] = "Twilio",
        ["Tenants:0:Delivery:WhatsApp"] = "Twilio",
        ["Twilio:BaseUrl"] = twilio.BaseUrl.ToString(),
        ["Twilio:AccountSid"] = AccountSid,
        ["Twilio:AuthToken"] = AuthToken,
        ["Twilio:From"] = "+15550001111",
        ["Twilio:WhatsAppFrom"] = "+15550002222",
    };

    private static void AssertTwilioRequest(ReceivedRequest request, string to, string from, out string code)
    {
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Messages.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")), request.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", request.Header("Content-Type"), StringComparison.Ordinal);
        var form = QueryHelpers.ParseQuery(request.BodyText);
        Assert.Equal(to, form["To"].ToString());
        Assert.Equal(from, form["From"].ToString());
        code = SixDigits().Match(form["Body"].ToString()).Value;
        Assert.Matches("^[0-9]{6}$", code);
    }

    [Fact]
    public async Task Twilio_delivers_sms_by_the_messages_api_with_basic_auth_and_form_fields()
    {
        await using var twilio = new WebhookListener { Respond = _ => (201, """{"sid":"SM1","status":"queued"}""") };
        await using var factory = Server(TwilioSettings(twilio));
        var client = factory.CreateClientWithKey();
        var phone = OtpKit.NewPhone();

        var started = await client.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();

        AssertTwilioRequest(Assert.Single(twilio.Received), phone, "+15550001111", out var code);
        Assert.Equal(0, OtpKit.CountDeliveries(fixture.Webhooks, "sms.created", phone));
        var verified = await client.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Twilio_delivers_whatsapp_with_whatsapp_addresses()
    {
        await using var twilio = new WebhookListener { Respond = _ => (201, "{}") };
        await using var factory = Server(TwilioSettings(twilio));
        var client = factory.CreateClientWithKey();
        var phone = OtpKit.NewPhone();

        var started = await client.PostJson("/v1/challenge", new { verificationMethod = "WHATSAPP", action = "signIn", phoneNumber = phone }).Ok();

        AssertTwilioRequest(Assert.Single(twilio.Received), "whatsapp:" + phone, "whatsapp:+15550002222", out var code);
        var verified = await client.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_twilio_refusal_is_a_delivery_failure()
    {
        await using var twilio = new WebhookListener { Respond = _ => (400, """{"code":21211,"message":"Invalid 'To' Phone Number"}""") };
        await using var factory = Server(TwilioSettings(twilio));

        var description = await factory.CreateClientWithKey().PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() })
            .Error(HttpStatusCode.BadGateway, "delivery_failed");
        Assert.Contains("Twilio answered 400", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_refusal_answers_502_and_leaves_no_usable_challenge()
    {
        var phone = OtpKit.NewPhone();
        var userId = ApiFixture.NewUserId();
        var server = fixture.ServerClient();
        fixture.Webhooks.Respond = r => r.BodyText.Contains(phone, StringComparison.Ordinal) ? (500, """{"error":"no"}""") : (200, "{}");
        try
        {
            var description = await server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, userId })
                .Error(HttpStatusCode.BadGateway, "delivery_failed");
            Assert.Contains("500", description, StringComparison.Ordinal);
            Assert.Empty((await server.GetAsync($"/v1/challenges?userId={userId}").Ok()).EnumerateObject());

            // Client enrolment: the refused code was received by the webhook, yet nothing accepts it.
            var client = fixture.BearerClient(await OtpKit.TrackAsync(server, userId));
            await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone }).Error(HttpStatusCode.BadGateway, "delivery_failed");
            var refusedCode = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
            await client.PostJson("/v1/client/verify/sms", new { verificationCode = refusedCode }).Error(HttpStatusCode.NotFound, "not_found");
            Assert.Empty((await client.GetAsync("/v1/client/user-authenticators").Ok()).EnumerateArray());
            Assert.Empty((await server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray());
            Assert.False((await server.GetAsync($"/v1/users/{userId}").Ok()).GetProperty("isEnrolled").GetBoolean());
        }
        finally
        {
            fixture.Webhooks.Respond = _ => (200, "{}");
        }
    }

    [Fact]
    public async Task An_unreachable_webhook_answers_502()
    {
        await using var factory = Server(new() { ["Tenants:0:WebhookUrl"] = $"http://127.0.0.1:{RedisServer.FreePort()}/gone" });

        await factory.CreateClientWithKey().PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email = OtpKit.NewEmail() })
            .Error(HttpStatusCode.BadGateway, "delivery_failed");
    }

    [Theory]
    [InlineData("Tenants:0:Delivery:Sms", "Twilio", "Twilio__AccountSid is required")]
    [InlineData("Tenants:0:Delivery:WhatsApp", "Twilio", "Twilio__WhatsAppFrom is required")]
    [InlineData("Tenants:0:Delivery:Email", "Smtp", "Smtp__Host is required")]
    [InlineData("Tenants:0:Delivery:Sms", "Smtp", "Tenants__0__Delivery__Sms cannot be Smtp")]
    [InlineData("Tenants:0:Delivery:Email", "Twilio", "Tenants__0__Delivery__Email cannot be Twilio")]
    [InlineData("Tenants:0:Delivery:Sms", "Log", "allowed only in Development")]
    public async Task A_misconfigured_delivery_refuses_to_start_naming_the_key(string key, string value, string message)
    {
        // A real process, as an operator starts it (Production): its output must name the setting at fault.
        var output = await ServerProcess.RefusalAsync(Reliability.ProcessSettings.For(fixture.RedisConfiguration, fixture.Webhooks.Url, (key, value)));
        Assert.Contains(message, output, StringComparison.Ordinal);
    }
}
