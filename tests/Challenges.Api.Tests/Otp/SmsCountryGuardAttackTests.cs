using System.Net;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>
/// SMS pumping: codes sent to premium numbers of countries the tenant has no users in. Tenant B sends SMS and WhatsApp
/// codes only to +64 and +1 numbers (<c>Tenants__N__Limits__PhonePrefixes</c>); anything else is refused before the
/// provider (here the real webhook listener) is called.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SmsCountryGuardAttackTests(ApiFixture fixture)
{
    private readonly HttpClient _tenantB = fixture.ServerClient(TestTenants.BKey);

    private static string ForeignPhone() => "+4479" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private int Deliveries(string phone) => fixture.Webhooks.Received.Count(r =>
        System.Text.Encoding.UTF8.GetString(r.Body).Contains(phone, StringComparison.Ordinal));

    [Theory]
    [InlineData("SMS")]
    [InlineData("WHATSAPP")]
    public async Task A_passwordless_code_to_a_number_outside_the_allowed_countries_is_refused_before_any_send(string method)
    {
        var phone = ForeignPhone();

        var description = await _tenantB.PostJson("/v1/challenge", new { verificationMethod = method, action = "signIn", phoneNumber = phone })
            .Error(HttpStatusCode.BadRequest, "invalid_request");

        Assert.StartsWith("phoneNumber:", description, StringComparison.Ordinal);
        Assert.Equal(0, Deliveries(phone));
    }

    [Fact]
    public async Task A_client_enrolment_of_a_foreign_number_is_refused_before_any_send_and_leaves_no_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var phone = ForeignPhone();
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_tenantB, userId));

        await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone, smsChannel = "WHATSAPP" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");

        Assert.Equal(0, Deliveries(phone));
        Assert.Empty((await _tenantB.GetAsync($"/v1/users/{userId}/authenticators").Ok()).EnumerateArray());
    }

    [Fact]
    public async Task A_number_stored_by_the_backend_in_a_foreign_country_gets_no_code_either()
    {
        var userId = ApiFixture.NewUserId();
        var phone = ForeignPhone();
        await OtpKit.EnrolVerifiedAsync(_tenantB, userId, "SMS", phone);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_tenantB, userId));

        await client.PostAsync("/v1/client/challenge/sms", null).Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostAsync("/v1/client/challenge/whatsapp", null).Error(HttpStatusCode.BadRequest, "invalid_request");

        Assert.Equal(0, Deliveries(phone));
    }

    [Fact]
    public async Task Allowed_countries_still_get_their_codes_and_other_tenants_are_not_restricted()
    {
        var allowed = "+1415" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await _tenantB.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = allowed }).Ok();
        Assert.Equal(1, OtpKit.CountDeliveries(fixture.Webhooks, "sms.created", allowed));

        var foreign = ForeignPhone();
        await fixture.ServerClient().PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = foreign }).Ok();
        Assert.Equal(1, OtpKit.CountDeliveries(fixture.Webhooks, "sms.created", foreign));
    }

    [Theory]
    [InlineData("44")]
    [InlineData("+0")]
    [InlineData("+44 7")]
    [InlineData("+1234567")]
    [InlineData("")]
    public void A_malformed_prefix_is_refused_at_start_up(string prefix)
    {
        var tenant = new TenantOptions { Id = "a" };
        tenant.SecretKeys.Add(TestTenants.AKey);
        tenant.Limits.PhonePrefixes.Add(prefix);
        var options = new TenantsOptions();
        options.Tenants.Add(tenant);

        var result = new TenantsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Limits__PhonePrefixes__0", result.FailureMessage, StringComparison.Ordinal);
    }
}
