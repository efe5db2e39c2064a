using System.Net;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Push;

namespace Challenges.Api.Tests.StepUp;

[Collection(ApiCollection.Name)]
public sealed class StepUpTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);
    private const string Biometric = "/stepup/challenges/push/BIOMETRIC";

    private static async Task<JsonElement> Body(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts the whole body is exactly <c>{ code, message }</c> with that code.</summary>
    private static async Task AssertCodeMessage(Task<HttpResponseMessage> call, HttpStatusCode status, string code)
    {
        using var response = await call;
        var body = await Body(response, status);
        Assert.Equal(["code", "message"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(code, body.Str("code"));
        Assert.False(string.IsNullOrWhiteSpace(body.Str("message")));
    }

    /// <summary>Asserts the whole body is exactly <c>{ errorCode }</c>.</summary>
    private static async Task AssertConflict(Task<HttpResponseMessage> call, string errorCode)
    {
        using var response = await call;
        var body = await Body(response, HttpStatusCode.Conflict);
        Assert.Equal("{\"errorCode\":\"" + errorCode + "\"}", body.GetRawText());
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path, string? body = null, string? reference = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (reference is not null)
        {
            request.Headers.TryAddWithoutValidation("idempotency-ref", reference);
        }
        return client.SendAsync(request);
    }

    private HttpClient ApiKeyClient(string key = TestTenants.AKey)
    {
        var client = fixture.AnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("api-key", key);
        return client;
    }

    private static JsonElement JwtPayload(string token)
    {
        var part = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(part.PadRight(part.Length + (4 - part.Length % 4) % 4, '='))).RootElement.Clone();
    }

    private static async Task<string> StartAsync(HttpClient client, string? body = null, string? reference = null)
    {
        using var response = await Post(client, Biometric, body, reference);
        var json = await Body(response, HttpStatusCode.OK);
        Assert.Equal(["id"], json.EnumerateObject().Select(p => p.Name));
        return json.Str("id");
    }

    private static async Task<JsonElement> StatusAsync(HttpClient client, string id) => await Body(await client.GetAsync($"/stepup/challenges/{id}"), HttpStatusCode.OK);

    [Fact]
    public async Task A_biometric_step_up_is_answered_by_a_signed_device_and_its_token_is_issued_once()
    {
        var userId = ApiFixture.NewUserId();
        var (device, authenticatorId) = await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));

        var id = await StartAsync(user);
        Assert.Equal("PENDING", (await StatusAsync(user, id)).Str("status"));

        var shown = await device.GetPendingAsync();
        Assert.Equal(id, shown.Str("challengeId"));
        Assert.Equal(authenticatorId, shown.Str("userAuthenticatorId"));
        Assert.Equal("stepUp", shown.Str("actionCode"));
        Assert.True((await device.AnswerAsync(id, approved: true)).GetProperty("isVerified").GetBoolean());

        var approved = await StatusAsync(user, id);
        Assert.Equal(id, approved.Str("id"));
        Assert.Equal("APPROVED", approved.Str("status"));
        var claims = JwtPayload(approved.Str("stepUpToken"));
        Assert.Equal("stepup", claims.Str("acr"));
        Assert.Equal(userId, claims.Str("sub"));
        Assert.InRange(claims.GetProperty("auth_time").GetInt64(), fixture.Clock.GetUtcNow().ToUnixTimeSeconds() - 5, fixture.Clock.GetUtcNow().ToUnixTimeSeconds());
        var again = await StatusAsync(user, id);
        Assert.Equal("APPROVED", again.Str("status"));
        Assert.False(again.Has("stepUpToken"));

        // Done: the next step-up may start.
        await StartAsync(user);
    }

    [Fact]
    public async Task A_step_up_superseded_by_a_newer_push_reports_expired_and_the_next_step_up_may_start()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        var stepUp = await StartAsync(user);

        // A sign-in push to the same device takes the step-up's place there: nobody can answer the step-up any more.
        var signIn = await _push.TrackAsync(userId);
        var pushId = await _push.StartChallengeAsync(signIn);

        Assert.Equal(pushId, (await device.GetPendingAsync()).Str("challengeId"));
        var status = await StatusAsync(user, stepUp);
        Assert.Equal("EXPIRED", status.Str("status"));
        Assert.False(status.Has("stepUpToken"));
        await _push.AnswerRawAsync(device, stepUp, approved: true).Error(HttpStatusCode.Conflict, "conflict");

        // The closed step-up no longer blocks the next one, which in turn closes the sign-in push.
        var next = await StartAsync(user);
        Assert.Equal(next, (await device.GetPendingAsync()).Str("challengeId"));
        var poll = await _push.PollAsync(signIn, pushId).Ok();
        Assert.False(poll.GetProperty("isVerified").GetBoolean());
        Assert.True(poll.GetProperty("isConsumed").GetBoolean());
    }

    [Fact]
    public async Task A_step_up_still_shown_on_another_device_stays_pending_and_answerable()
    {
        var userId = ApiFixture.NewUserId();
        var (first, firstId) = await _push.EnrollAsync(userId, "first-phone");
        var (second, _) = await _push.EnrollAsync(userId, "second-phone");
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        var stepUp = await StartAsync(user);

        // A push to the first device only: the second still shows the step-up.
        var pushId = await _push.StartChallengeAsync(await _push.TrackAsync(userId), new { userAuthenticatorId = firstId });

        Assert.Equal(pushId, (await first.GetPendingAsync()).Str("challengeId"));
        Assert.Equal(stepUp, (await second.GetPendingAsync()).Str("challengeId"));
        Assert.Equal("PENDING", (await StatusAsync(user, stepUp)).Str("status"));
        Assert.True((await second.AnswerAsync(stepUp, approved: true)).GetProperty("isVerified").GetBoolean());
        Assert.Equal("APPROVED", (await StatusAsync(user, stepUp)).Str("status"));
    }

    [Fact]
    public async Task A_rejected_or_expired_step_up_reports_so_without_a_token()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));

        var rejected = await StartAsync(user);
        await device.AnswerAsync(rejected, approved: false);
        var status = await StatusAsync(user, rejected);
        Assert.Equal("REJECTED", status.Str("status"));
        Assert.False(status.Has("stepUpToken"));

        var expired = await StartAsync(user);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        using var fresh = fixture.BearerClient(await _push.TrackAsync(userId));
        Assert.Equal("EXPIRED", (await StatusAsync(fresh, expired)).Str("status"));
        await AssertCodeMessage(fresh.GetAsync("/stepup/challenges/no-such-id"), HttpStatusCode.NotFound, "not_found");
        await AssertCodeMessage(ApiKeyClient().GetAsync($"/stepup/challenges/{expired}?userId={ApiFixture.NewUserId()}"),
            HttpStatusCode.NotFound, "not_found");
        Assert.Equal("EXPIRED", (await StatusAsync(ApiKeyClient(), $"{expired}?userId={userId}")).Str("status"));
    }

    [Fact]
    public async Task The_api_key_names_the_tenant_and_the_body_names_the_user()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var id = await StartAsync(ApiKeyClient(), $"{{\"userId\":\"{userId}\"}}");
        Assert.Equal(id, (await device.GetPendingAsync(withSignature: false)).Str("challengeId"));

        using var missing = await Post(ApiKeyClient(), Biometric, "{}");
        var body = await Body(missing, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrWhiteSpace(body.Str("message")));
        Assert.Equal("""[{"fieldName":"userId","error":"REQUIRED","params":[]}]""",
            body.GetProperty("syntaxErrors").GetProperty("invalidFields").GetRawText());
        await AssertCodeMessage(Post(ApiKeyClient("not-a-secret-key"), Biometric, $"{{\"userId\":\"{userId}\"}}"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Without_credentials_or_with_an_expired_token_the_answer_is_401_with_code_and_message()
    {
        await AssertCodeMessage(Post(fixture.AnonymousClient(), Biometric), HttpStatusCode.Unauthorized, "unauthorized");
        await AssertCodeMessage(Post(fixture.BearerClient("not.a.token"), Biometric), HttpStatusCode.Unauthorized, "unauthorized");
        var token = await _push.TrackAsync(ApiFixture.NewUserId());
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        await AssertCodeMessage(Post(fixture.BearerClient(token), Biometric), HttpStatusCode.Unauthorized, "expired_token");
    }

    [Fact]
    public async Task A_token_cannot_step_up_another_user()
    {
        using var user = fixture.BearerClient(await _push.TrackAsync(ApiFixture.NewUserId()));
        await AssertCodeMessage(Post(user, Biometric, "{\"userId\":\"someone-else\"}"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_unknown_channel_is_a_syntax_error_listing_the_allowed_values()
    {
        using var user = fixture.BearerClient(await _push.TrackAsync(ApiFixture.NewUserId()));
        using var response = await Post(user, "/stepup/challenges/push/SMS");
        var body = await Body(response, HttpStatusCode.BadRequest);
        Assert.Equal(["message", "syntaxErrors"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"invalidFields":[{"fieldName":"channel","error":"IN","params":["AUTHY","BIOMETRIC"]}]}""",
            body.GetProperty("syntaxErrors").GetRawText());

        using var notJson = await Post(user, Biometric, "[1,2]");
        Assert.Equal("""{"invalidFields":[]}""", (await Body(notJson, HttpStatusCode.BadRequest)).GetProperty("syntaxErrors").GetRawText());
    }

    [Fact]
    public async Task Other_methods_get_405_with_code_and_message()
    {
        using var user = fixture.BearerClient(await _push.TrackAsync(ApiFixture.NewUserId()));
        await AssertCodeMessage(user.GetAsync(Biometric), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await AssertCodeMessage(user.PutAsync(Biometric, null), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task Channels_that_are_off_or_without_a_device_are_conflicts()
    {
        var userId = ApiFixture.NewUserId();
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        await AssertConflict(Post(user, "/stepup/challenges/push/AUTHY"), "CHANNEL_NOT_SUPPORTED");
        await AssertConflict(Post(user, Biometric), "CHANNEL_NOT_REGISTERED");

        var tenantB = new PushHelpers(fixture, TestTenants.B, TestTenants.BKey);
        var userB = ApiFixture.NewUserId();
        await tenantB.EnrollAsync(userB);
        using var clientB = fixture.BearerClient(await tenantB.TrackAsync(userB));
        await AssertConflict(Post(clientB, "/stepup/challenges/push/AUTHY"), "CHANNEL_NOT_REGISTERED");
        await StartAsync(clientB);
    }

    [Fact]
    public async Task A_step_up_in_flight_refuses_another_until_it_expires()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        await StartAsync(user);

        await AssertConflict(Post(user, Biometric), "STATE_INVALID");

        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        using var fresh = fixture.BearerClient(await _push.TrackAsync(userId));
        await StartAsync(fresh);
    }

    [Fact]
    public async Task The_sixth_step_up_within_ten_minutes_exceeds_the_challenge_limit()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        for (var i = 0; i < 5; i++)
        {
            await device.AnswerAsync(await StartAsync(user), approved: false);
        }

        await AssertConflict(Post(user, Biometric), "CHALLENGE_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task The_same_reference_and_payload_replays_the_first_answer_and_starts_nothing_new()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));

        var first = await StartAsync(user, reference: "ref-1");
        var second = await StartAsync(user, reference: "ref-1");
        Assert.Equal(first, second);
        Assert.Equal(first, (await device.GetPendingAsync(withSignature: false)).Str("challengeId"));

        // Same reference, another payload: refused.
        await AssertConflict(Post(user, Biometric, "{\"userId\":\"" + userId + "\"}", "ref-1"), "STATE_INVALID");
        await AssertConflict(Post(user, "/stepup/challenges/push/AUTHY", null, "ref-1"), "STATE_INVALID");

        // Replays are still the first answer after the challenge is done.
        await device.AnswerAsync(first, approved: true);
        Assert.Equal(first, await StartAsync(user, reference: "ref-1"));
    }

    [Fact]
    public async Task A_refused_start_stores_no_reference_so_its_retry_is_judged_afresh()
    {
        var userId = ApiFixture.NewUserId();
        using var user = fixture.BearerClient(await _push.TrackAsync(userId));
        await AssertConflict(Post(user, Biometric, null, "ref-early"), "CHANNEL_NOT_REGISTERED");
        await _push.EnrollAsync(userId);

        var id = await StartAsync(user, reference: "ref-early");
        Assert.Equal(id, await StartAsync(user, reference: "ref-early"));
    }

    [Fact]
    public async Task Twenty_concurrent_duplicates_start_one_challenge()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId);

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => StartAsync(fixture.BearerClient(token), "{}", "ref-burst")));

        Assert.Single(ids.Distinct());
        // Only one step-up is in flight, and the limit counted one start.
        await AssertConflict(Post(fixture.BearerClient(token), Biometric), "STATE_INVALID");
    }

    [Fact]
    public async Task The_per_address_limit_answers_429_with_code_message_and_retry_after()
    {
        await using var server = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, TestClock.StartingNow(),
            new Dictionary<string, string?> { ["Tenants:1:Limits:StartsPerIpPerWindow"] = "2" });
        var port = RedisServer.FreePort();
        server.UseKestrel(port);
        server.StartServer();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.TryAddWithoutValidation("api-key", TestTenants.BKey);
        var body = $"{{\"userId\":\"{ApiFixture.NewUserId()}\"}}";

        await AssertConflict(Post(http, Biometric, body), "CHANNEL_NOT_REGISTERED");
        await AssertConflict(Post(http, Biometric, body), "CHANNEL_NOT_REGISTERED");
        using var limited = await Post(http, Biometric, body);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await AssertCodeMessage(Task.FromResult(limited), HttpStatusCode.TooManyRequests, "too_many_requests");
    }

    [Fact]
    public async Task A_store_outage_answers_503_with_code_and_message()
    {
        // A Redis of its own, so stopping it disturbs no other test (and works when the suite runs on a cluster).
        await using var redis = new RedisServer();
        await using var factory = new ChallengesFactory(redis.Configuration, fixture.Webhooks.Url, TestClock.StartingNow());
        using var server = factory.CreateClient();
        server.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        var token = (await server.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/stepUp", new { }).Ok()).Str("token");
        using var user = factory.CreateClient();
        user.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        redis.Stop();

        await AssertCodeMessage(Post(user, Biometric), HttpStatusCode.ServiceUnavailable, "service_unavailable");
    }
}
