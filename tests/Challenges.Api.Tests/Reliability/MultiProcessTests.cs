using System.Net;
using System.Net.Http.Headers;
using Challenges.Device;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Reliability;

/// <summary>Several real server processes sharing one real Redis: nothing a request needs lives in a process.</summary>
[Collection(ApiCollection.Name)]
public sealed class MultiProcessTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly WebhookListener _webhooks = new();
    private readonly List<ServerProcess> _servers = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _servers.Add(await ServerProcess.StartAsync(ProcessSettings.For(_redis.Configuration, _webhooks.Url)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        await _webhooks.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private HttpClient On(int server) => _servers[server].Client(TestTenants.AKey);

    [Fact]
    public async Task An_action_tracked_on_one_process_is_changed_on_a_second_and_validated_on_a_third()
    {
        var userId = ApiFixture.NewUserId();
        await On(0).PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000201" }).Ok();
        var tracked = await On(1).PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "multi" }).Ok();
        Assert.Equal("CHALLENGE_REQUIRED", tracked.Str("state"));
        await On(2).PatchJson($"/v1/users/{userId}/actions/signIn/multi", new { state = "CHALLENGE_SUCCEEDED" }).Ok();

        var results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => On(i % 3).PostJson("/v1/validate", new { token = tracked.Str("token") }).Ok()));

        Assert.Equal(1, results.Count(r => r.GetProperty("isValid").GetBoolean()));
        ProcessSettings.AssertNoSecrets(string.Concat(_servers.Select(s => s.Output)), [TestTenants.AKey, TestTenants.AKeyRotated, TestTenants.SigningKey, tracked.Str("token")]);
    }

    [Fact]
    public async Task An_authenticator_app_code_replayed_on_another_process_at_the_same_moment_verifies_exactly_once()
    {
        var userId = ApiFixture.NewUserId();
        var secret = await Totp.TotpKit.EnrolVerifiedAsync(On(0), userId);
        var tokens = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            tokens.Add((await On(i % 3).PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token"));
        }
        var code = Totp.TotpKit.Code(secret, DateTimeOffset.UtcNow);

        var results = await Task.WhenAll(tokens.Select((token, i) => Totp.TotpKit.VerifyAsync(Bearer(i % 3, token), code)));

        Assert.Equal(1, results.Count(r => r.GetProperty("isVerified").GetBoolean()));
        ProcessSettings.AssertNoSecrets(string.Concat(_servers.Select(s => s.Output)), [code, Totp.TotpKit.ToBase32(secret)]);
    }

    private HttpClient Bearer(int server, string token)
    {
        var client = _servers[server].Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task A_push_challenge_started_on_one_process_is_answered_on_a_second_and_polled_on_a_third()
    {
        var userId = ApiFixture.NewUserId();
        var enrolToken = (await On(0).PostJson($"/v1/users/{userId}/actions/enrol", new { scope = "add:authenticators" }).Ok()).Str("token");
        var device = new DeviceClient(_servers[1].Client(), TestTenants.A, DeviceClient.NewKey());
        await device.AddCredentialAsync(enrolToken, "Phone", "android");
        var token = (await On(2).PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token");

        var challengeId = (await Bearer(0, token).PostJson("/v1/client/challenge/push", new { }).Ok()).Str("challengeId");
        var pending = await device.GetPendingAsync();
        Assert.Equal(challengeId, pending.Str("challengeId"));
        await device.AnswerAsync(challengeId, approved: true);
        var polled = await Bearer(2, token).PostJson("/v1/client/verify/push", new { challengeId }).Ok();

        Assert.True(polled.GetProperty("isVerified").GetBoolean());
        var validated = await On(0).PostJson("/v1/validate", new { token = polled.Str("accessToken") }).Ok();
        Assert.True(validated.GetProperty("isValid").GetBoolean());
        ProcessSettings.AssertNoSecrets(string.Concat(_servers.Select(s => s.Output)),
            [TestTenants.AKey, TestTenants.SigningKey, token, enrolToken, polled.Str("accessToken")]);
    }

    [Fact]
    public async Task An_otp_started_on_one_process_is_verified_on_another_and_limits_count_across_all_three()
    {
        var phone = "+6427555" + Random.Shared.Next(1000, 9999);
        var started = await On(0).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        var sms = await _webhooks.WaitForAsync(r => r.BodyText.Contains(phone, StringComparison.Ordinal) && r.BodyText.Contains("sms.created", StringComparison.Ordinal));
        var code = System.Text.Json.JsonDocument.Parse(sms.Body).RootElement.GetProperty("data").Str("code");

        var verified = await On(1).PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        var claimed = await On(2).PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId = ApiFixture.NewUserId() }).Ok();
        Assert.True((await On(0).PostJson("/v1/validate", new { token = claimed.Str("token") }).Ok()).GetProperty("isValid").GetBoolean());

        // Six SMS per destination per window (one used above), counted in Redis whichever process answers.
        for (var i = 1; i < 6; i++)
        {
            await On(i % 3).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        }
        using var limited = await On(0).PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone });
        await limited.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.NotNull(limited.Headers.RetryAfter);

        // Codes are secrets: none may reach a log line.
        var codes = _webhooks.Received.Where(r => r.BodyText.Contains(phone, StringComparison.Ordinal))
            .Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("data").Str("code")).ToList();
        Assert.Equal(6, codes.Count);
        var logs = string.Concat(_servers.Select(s => s.Output));
        Assert.All(codes, c => Assert.DoesNotContain($" {c}", logs, StringComparison.Ordinal));
        ProcessSettings.AssertNoSecrets(logs, [TestTenants.AKey, TestTenants.SigningKey, claimed.Str("token")]);
    }

    [Fact]
    public async Task Lifecycle_events_survive_a_failing_receiver_and_a_killed_server_and_none_is_lost()
    {
        _webhooks.Respond = _ => (500, "{}");
        var ids = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            var body = await On(i % 3).PostJson($"/v1/users/{ApiFixture.NewUserId()}/authenticators",
                new { verificationMethod = "EMAIL_OTP", email = $"user{i}@example.com" }).Ok();
            ids.Add(body.GetProperty("authenticator").Str("userAuthenticatorId"));
        }
        // Every event has been attempted (and refused) at least once before the crash.
        foreach (var id in ids)
        {
            await _webhooks.WaitForAsync(r => r.BodyText.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        }

        foreach (var server in _servers)
        {
            server.Kill();
        }
        _webhooks.Respond = _ => (200, "{}");
        await _servers[0].StartAsync();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var backlog = (await _servers[0].Client().GetAsync("/health/ready").Ok()).GetProperty("outboxBacklog").GetInt64();
            if (backlog == 0)
            {
                break;
            }
            await Task.Delay(100);
        }

        var delivered = _webhooks.Received.Where(r => r.BodyText.Contains("authenticator.created", StringComparison.Ordinal)).ToList();
        foreach (var id in ids)
        {
            var attempts = delivered.Where(r => r.BodyText.Contains(id, StringComparison.Ordinal)).ToList();
            // Refused before the crash, accepted after it: at least two attempts, all with one stable event id.
            Assert.True(attempts.Count >= 2, $"authenticator {id} was attempted {attempts.Count} times");
            Assert.Single(attempts.Select(a => JsonDocument.Parse(a.Body).RootElement.Str("id")).Distinct());
        }
        // An event leaves the outbox only when delivered (none is older than the give-up age): an empty backlog means all arrived.
        Assert.Equal(0, (await _servers[0].Client().GetAsync("/health/ready").Ok()).GetProperty("outboxBacklog").GetInt64());
    }
}
