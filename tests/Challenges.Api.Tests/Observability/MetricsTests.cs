using System.Globalization;
using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Push;

namespace Challenges.Api.Tests.Observability;

/// <summary>
/// <c>GET /metrics</c> (the fixture's server runs with <c>Metrics__Enabled=true</c>) shows the domain instruments of the
/// <c>Challenges</c> meter after one OTP and one push lifecycle, in Prometheus text format.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class MetricsTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Sum(string text, string metric, params string[] labels) => text.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
        .Where(line => labels.All(l => line.Contains(l, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));

    /// <summary>Scrapes until every expectation holds (counters of background deliveries land a moment after the request).</summary>
    private async Task<string> ScrapeUntilAsync(Func<string, bool> complete)
    {
        var client = fixture.AnonymousClient();
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var text = await response.Content.ReadAsStringAsync();
            if (complete(text) || attempt == 50)
            {
                return text;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Metrics_show_the_instruments_after_one_otp_and_one_push_lifecycle()
    {
        var server = fixture.ServerClient();

        // One OTP: initiated (sms.created to the tenant's webhook), one wrong code, then the right one.
        var phone = OtpKit.NewPhone();
        var challengeId = (await server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok())
            .Str("challengeId");
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        await server.PostJson("/v1/verify", new { challengeId, verificationCode = OtpKit.WrongCode(code) }).Ok();
        Assert.True((await server.PostJson("/v1/verify", new { challengeId, verificationCode = code }).Ok()).GetProperty("isVerified").GetBoolean());

        // One push: enrolled, started (push.created to the webhook), approved by the device.
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId, "metrics-phone");
        var pushId = await _push.StartChallengeAsync(await _push.TrackAsync(userId));
        await device.AnswerAsync(pushId, approved: true);

        // One refusal: verifies beyond the per-user limit.
        var limited = (await server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = OtpKit.NewPhone() }).Ok())
            .Str("challengeId");
        HttpResponseMessage? last = null;
        for (var i = 0; i <= 10 && last?.StatusCode != HttpStatusCode.TooManyRequests; i++)
        {
            last = await server.PostJson("/v1/verify", new { challengeId = limited, verificationCode = "000000" });
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);

        const string tenant = $"tenant=\"{TestTenants.A}\"";
        // The push prompt is delivered in the background, and the outbox gauges are measured a moment after start.
        var text = await ScrapeUntilAsync(t => Sum(t, "delivery_attempts_total", "channel=\"push\"", "outcome=\"delivered\"") > 0 &&
                                               t.Contains("outbox_oldest_event_age_seconds{", StringComparison.Ordinal));

        Assert.True(Sum(text, "challenges_started_total", tenant, "method=\"SMS\"") >= 1);
        Assert.True(Sum(text, "challenges_started_total", tenant, "method=\"PUSH\"") >= 1);
        Assert.True(Sum(text, "challenges_completed_total", tenant, "method=\"SMS\"", "outcome=\"verified\"") >= 1);
        Assert.True(Sum(text, "challenges_completed_total", tenant, "method=\"PUSH\"", "outcome=\"approved\"") >= 1);
        Assert.True(Sum(text, "delivery_attempts_total", "channel=\"sms\"", "provider=\"Webhook\"", "outcome=\"delivered\"") >= 2);
        Assert.True(Sum(text, "delivery_attempts_total", "channel=\"push\"", "provider=\"webhook\"", "outcome=\"delivered\"") >= 1);
        Assert.True(Sum(text, "delivery_duration_seconds_count", "channel=\"sms\"") >= 2);
        Assert.Contains("delivery_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.True(Sum(text, "ratelimit_refusals_total", "rule=\"otp-verify-user\"") >= 1);
        Assert.Matches(@"(?m)^outbox_backlog(\{[^}]*\})? \d", text);
        Assert.Matches(@"(?m)^outbox_oldest_event_age_seconds(\{[^}]*\})? \d", text);
        // The framework's instruments come along.
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }
}
