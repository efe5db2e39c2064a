using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Otp;

/// <summary>
/// Attacks on the OTP send limits, against a real server process and its own Redis: locking a victim's phone out by
/// sending to it from another account, and keeping a limit shut with refused requests. Anti-pumping per destination
/// stays for every destination its sender has not verified.
/// </summary>
public sealed class OtpPumpingAttackTests : ServerProcessTest
{
    // Every request comes from 127.0.0.1: a high per-address limit, so that the send limits are what answers; windows
    // of a day, so that none ends during a test.
    protected override (string Key, string Value)[] Settings =>
    [
        ("Tenants:0:Limits:StartsPerIpPerWindow", "100000"),
        ("Tenants:0:Limits:SendWindow", "1.00:00:00"),
        ("Tenants:0:Limits:IpWindow", "1.00:00:00"),
    ];

    private async Task<HttpClient> NewUserAsync(string? userId = null) =>
        Server.BearerClient(await OtpKit.TrackAsync(Admin, userId ?? ApiFixture.NewUserId()));

    private static Task<HttpResponseMessage> EnrolSms(HttpClient user, string phone) =>
        user.PostJson("/v1/client/user-authenticators/sms", new { phoneNumber = phone });

    private int SentTo(string phone) => OtpKit.CountDeliveries(Webhooks, "sms.created", phone);

    private async Task<long> CountAsync(string rule, string subject)
    {
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        var keys = redis.Keys($"r:{{{TestTenants.A}:{rule}:{Uri.EscapeDataString(subject)}}}:*");
        return keys.Count == 0 ? 0 : (long)await redis.Database.StringGetAsync(Assert.Single(keys));
    }

    [Fact]
    public async Task Enrolling_someone_elses_verified_number_cannot_lock_its_owner_out()
    {
        var phone = OtpKit.NewPhone();
        var victimId = ApiFixture.NewUserId();
        await OtpKit.EnrolVerifiedAsync(Admin, victimId, "SMS", phone);

        // The attacker enrols the victim's number from their own account until refused, and keeps trying.
        var attacker = await NewUserAsync();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await EnrolSms(attacker, phone);
            answers.Add(response.StatusCode);
        }
        Assert.Equal(6, answers.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(4, answers.Count(s => s == HttpStatusCode.TooManyRequests));
        // A second attacker account is refused by the destination's own limit: pumping the number stays bounded.
        await EnrolSms(await NewUserAsync(), phone).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.Equal(6, SentTo(phone));

        // The owner still gets their codes, SMS and WhatsApp alike.
        var victim = await NewUserAsync(victimId);
        await victim.PostAsync("/v1/client/challenge/sms", null).Ok();
        await victim.PostAsync("/v1/client/challenge/whatsapp", null).Ok();
        Assert.Equal(8, SentTo(phone));
    }

    [Fact]
    public async Task Refused_sends_do_not_consume_a_limit()
    {
        var phone = OtpKit.NewPhone();
        var attackerId = ApiFixture.NewUserId();
        var attacker = await NewUserAsync(attackerId);
        for (var i = 0; i < 6; i++)
        {
            await EnrolSms(attacker, phone).Ok();
        }
        for (var i = 0; i < 20; i++)
        {
            await EnrolSms(attacker, phone).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        }

        // Only the six sends count, in every window the requests touched.
        Assert.Equal(6, await CountAsync("otp-send-phone-to", phone.ToUpperInvariant()));
        Assert.Equal(6, await CountAsync("otp-send-phone-user", attackerId));
        Assert.Equal(6, await CountAsync("ip-start", "127.0.0.1"));
        Assert.Equal(6, SentTo(phone));
    }

    [Fact]
    public async Task A_number_nobody_has_verified_stays_limited_per_destination_across_accounts()
    {
        var phone = OtpKit.NewPhone();
        for (var account = 0; account < 3; account++)
        {
            var user = await NewUserAsync();
            await EnrolSms(user, phone).Ok();
            await EnrolSms(user, phone).Ok();
        }
        await EnrolSms(await NewUserAsync(), phone).Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        await Admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone })
            .Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.Equal(6, SentTo(phone));
    }

    [Fact]
    public async Task A_backend_naming_the_verified_owner_is_not_held_back_by_others_sends()
    {
        var phone = OtpKit.NewPhone();
        var ownerId = ApiFixture.NewUserId();
        await OtpKit.EnrolVerifiedAsync(Admin, ownerId, "SMS", phone);
        for (var i = 0; i < 6; i++)
        {
            await Admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        }
        await Admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone })
            .Error(HttpStatusCode.TooManyRequests, "too_many_requests");

        await Admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, userId = ownerId }).Ok();
    }
}
