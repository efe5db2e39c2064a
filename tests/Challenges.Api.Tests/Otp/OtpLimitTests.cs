using System.Globalization;
using System.Net;
using System.Text;
using Challenges.Api.Otp;
using Challenges.Api.Storage;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Challenges.Api.Tests.Otp;

/// <summary>The limits of docs/contract.md §6 for OTP, counted in Redis: across server instances, and exactly under concurrency.</summary>
[Collection(ApiCollection.Name)]
public sealed class OtpLimitTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private ChallengesFactory SecondServer(Dictionary<string, string?>? extra = null) =>
        new(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock, extra);


    private static async Task AssertLimitedAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        await response.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 600);
    }

    [Fact]
    public async Task Sms_sends_to_one_number_are_limited_to_six_per_ten_minutes_across_two_server_instances()
    {
        await using var second = SecondServer();
        HttpClient[] servers = [_server, second.CreateClientWithKey()];
        var phone = OtpKit.NewPhone();
        object Body() => new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone };

        for (var i = 0; i < 6; i++)
        {
            await servers[i % 2].PostJson("/v1/challenge", Body()).Ok();
        }
        await AssertLimitedAsync(servers[0].PostJson("/v1/challenge", Body()));
        await AssertLimitedAsync(servers[1].PostJson("/v1/challenge", new { verificationMethod = "WHATSAPP", action = "signIn", phoneNumber = phone }));
        Assert.Equal(6, OtpKit.CountDeliveries(fixture.Webhooks, "sms.created", phone));

        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        await servers[1].PostJson("/v1/challenge", Body()).Ok();
    }

    [Fact]
    public async Task Email_sends_to_one_address_are_limited_to_twelve_per_ten_minutes()
    {
        var email = OtpKit.NewEmail();
        for (var i = 0; i < 12; i++)
        {
            await _server.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email }).Ok();
        }
        await AssertLimitedAsync(_server.PostJson("/v1/challenge", new { verificationMethod = "EMAIL_OTP", action = "signIn", email = email.ToUpperInvariant() }));
    }

    [Fact]
    public async Task Sms_sends_to_one_user_are_limited_whatever_the_number()
    {
        var userId = ApiFixture.NewUserId();
        for (var i = 0; i < 6; i++)
        {
            await _server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone(), userId }).Ok();
        }
        await AssertLimitedAsync(_server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone(), userId }));
    }

    [Fact]
    public async Task Client_sends_count_per_user_too()
    {
        var userId = ApiFixture.NewUserId();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", OtpKit.NewPhone());
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        for (var i = 0; i < 6; i++)
        {
            await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        }
        await AssertLimitedAsync(client.PostAsync("/v1/client/challenge/whatsapp", null));
    }

    [Fact]
    public async Task Verifies_are_limited_to_ten_per_five_minutes_per_user()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        await OtpKit.EnrolVerifiedAsync(_server, userId, "SMS", phone);
        var client = fixture.BearerClient(await OtpKit.TrackAsync(_server, userId));
        await client.PostAsync("/v1/client/challenge/sms", null).Ok();
        var wrong = OtpKit.WrongCode(OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock));

        for (var i = 0; i < 10; i++)
        {
            await client.PostJson("/v1/client/verify/sms", new { verificationCode = wrong }).Ok();
        }
        await AssertLimitedAsync(client.PostJson("/v1/client/verify/sms", new { verificationCode = wrong }));

        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await client.PostJson("/v1/client/verify/sms", new { verificationCode = wrong }).Ok();
    }

    [Fact]
    public async Task Server_api_starts_count_the_end_users_ip_address_from_the_body_only()
    {
        var ip = $"198.51.100.{Random.Shared.Next(1, 255)}";
        // A fresh window, so counts left by other tests from this address cannot matter.
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 60; i++)
        {
            await _server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone(), ipAddress = ip }).Ok();
        }
        await AssertLimitedAsync(_server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone(), ipAddress = ip }));

        await _server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone(), ipAddress = "198.51.100.254" == ip ? "198.51.100.253" : "198.51.100.254" }).Ok();
        await _server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() }).Ok();
    }

    [Fact]
    public async Task Client_api_starts_count_the_callers_address()
    {
        var token = await OtpKit.TrackAsync(_server, ApiFixture.NewUserId());
        var address = IPAddress.Parse($"203.0.113.{Random.Shared.Next(1, 255)}");
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        _ = fixture.Factory.Server;

        async Task<HttpContext> Reserve(IPAddress from) => await fixture.Factory.Server.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/v1/client/challenge";
            context.Request.Headers.Authorization = "Bearer " + token;
            context.Connection.RemoteIpAddress = from;
        });

        for (var i = 0; i < 60; i++)
        {
            Assert.Equal(200, (await Reserve(address)).Response.StatusCode);
        }
        var limited = await Reserve(address);
        Assert.Equal(429, limited.Response.StatusCode);
        Assert.False(string.IsNullOrEmpty(limited.Response.Headers.RetryAfter));
        var body = await new StreamReader(limited.Response.Body).ReadToEndAsync();
        Assert.Contains("\"error\":\"too_many_requests\"", body, StringComparison.Ordinal);

        Assert.Equal(200, (await Reserve(IPAddress.Parse("192.0.2.77"))).Response.StatusCode);
    }

    [Fact]
    public async Task Twenty_concurrent_wrong_guesses_are_counted_exactly()
    {
        // More verifies per window than the default ten, so that only the attempt limit is at work here.
        await using var factory = SecondServer(new() { ["Tenants:0:Limits:VerifiesPerWindow"] = "100" });
        var client = factory.CreateClientWithKey();
        var phone = OtpKit.NewPhone();
        var started = await client.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        var challengeId = started.Str("challengeId");
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        var wrong = OtpKit.WrongCode(code);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            factory.CreateClientWithKey().PostJson("/v1/verify", new { challengeId, verificationCode = wrong }).Ok()));

        var reasons = answers.Select(a => a.Str("failureReason")).ToList();
        Assert.Equal(4, reasons.Count(r => r == "CODE_INVALID_OR_EXPIRED"));
        Assert.Equal(16, reasons.Count(r => r == "MAX_ATTEMPTS_EXCEEDED"));
        var store = factory.Services.GetRequiredService<IStateStore>();
        var stored = StoreJson.Read<OtpChallengeRecord>((await store.GetAsync(OtpChallengeStore.KeyOf(TestTenants.A, challengeId)))!);
        Assert.Equal(5, stored.Attempts);
        var right = await client.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok();
        Assert.Equal("MAX_ATTEMPTS_EXCEEDED", right.Str("failureReason"));
    }
}
