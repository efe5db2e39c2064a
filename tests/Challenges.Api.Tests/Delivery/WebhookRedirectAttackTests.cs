using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Delivery;

/// <summary>
/// A tenant's webhook endpoint (or a provider) answers with a redirect to an internal address: the server must not
/// follow it with the signed body, code included. Real server process; the tenant's endpoint is a hostile listener.
/// </summary>
public sealed class WebhookRedirectAttackTests : ServerProcessTest
{
    // Tenant B sends SMS through "Twilio", whose base URL is the same hostile listener.
    protected override (string Key, string Value)[] Settings =>
    [
        ("Tenants:1:Delivery:Sms", "Twilio"),
        ("Twilio:BaseUrl", Webhooks.BaseUrl.ToString()),
        ("Twilio:AccountSid", "AC-test"),
        ("Twilio:AuthToken", "twilio-test-token"),
        ("Twilio:From", "+15005550006"),
    ];

    /// <summary>Makes the tenant's endpoint answer every request with 307 to <paramref name="inside"/>.</summary>
    private void RedirectEverythingTo(WebhookListener inside)
    {
        Webhooks.Respond = _ => (307, "{}");
        Webhooks.ResponseHeaders = _ => [new("Location", new Uri(inside.BaseUrl, "/internal").ToString())];
    }

    [Fact]
    public async Task A_webhook_answering_a_redirect_gets_no_second_post_and_the_send_fails()
    {
        await using var inside = new WebhookListener();
        RedirectEverythingTo(inside);
        var phone = OtpKit.NewPhone();

        await Server.Client(TestTenants.AKey).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone })
            .Error(HttpStatusCode.BadGateway, "delivery_failed");

        Assert.Equal(1, OtpKit.CountDeliveries(Webhooks, "sms.created", phone));
        Assert.Empty(inside.Received);
    }

    [Fact]
    public async Task A_provider_answering_a_redirect_gets_no_second_post_and_the_send_fails()
    {
        await using var inside = new WebhookListener();
        RedirectEverythingTo(inside);

        await Server.Client(TestTenants.BKey).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() })
            .Error(HttpStatusCode.BadGateway, "delivery_failed");

        Assert.Single(Webhooks.Received, r => r.Path.Contains("/Messages.json", StringComparison.Ordinal));
        Assert.Empty(inside.Received);
    }

    [Fact]
    public async Task Retried_push_and_lifecycle_events_never_follow_a_redirect()
    {
        await using var inside = new WebhookListener();
        RedirectEverythingTo(inside);
        var admin = Server.Client(TestTenants.AKey);
        var userId = ApiFixture.NewUserId();
        var enrol = (await admin.PostJson($"/v1/users/{userId}/actions/addAuthenticator", new { }).Ok()).Str("token");
        await Server.NewDevice(TestTenants.A).AddCredentialAsync(enrol, "Phone", "ios");
        var token = (await admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token");
        await Server.BearerClient(token).PostJson("/v1/client/challenge/push", new { }).Ok();

        // Each event is retried after a failed attempt: by its second attempt the first one's redirect, had it been
        // followed, would have reached the inside listener.
        foreach (var type in new[] { "push.created", "authenticator.created" })
        {
            await Webhooks.WaitForAsync(_ => Webhooks.Received.Count(r => r.BodyText.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)) >= 2,
                TimeSpan.FromSeconds(30));
        }
        Assert.Empty(inside.Received);
    }
}
