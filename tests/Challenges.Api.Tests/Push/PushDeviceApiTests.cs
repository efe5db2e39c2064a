using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>The device API rows one by one: registration, encodings, nonces, removal, update, number matching.</summary>
[Collection(ApiCollection.Name)]
public sealed class PushDeviceApiTests(ApiFixture fixture)
{
    private readonly PushHelpers _push = new(fixture);

    private static readonly JsonElement Vectors =
        JsonDocument.Parse(File.ReadAllText(VectorFiles.Path("device-signatures.json"))).RootElement.Clone();

    private static readonly JsonElement Encodings =
        JsonDocument.Parse(File.ReadAllText(VectorFiles.Path("encodings.json"))).RootElement.Clone();

    private Task<HttpResponseMessage> AddRaw(string token, object body) =>
        fixture.BearerClient(token).PostJson("/v1/client/user-authenticators/push", body);

    [Fact]
    public async Task The_first_device_needs_no_scope_but_a_second_one_does()
    {
        var userId = ApiFixture.NewUserId();
        var plain = await _push.TrackAsync(userId, "enrol");
        var first = _push.NewDevice();
        var added = await AddRaw(plain, new { publicKey = first.PublicKey, deviceName = "first", devicePlatform = "ios" }).Ok();

        var second = _push.NewDevice();
        var again = await _push.TrackAsync(userId, "enrol");
        var description = await AddRaw(again, new { publicKey = second.PublicKey, deviceName = "second", devicePlatform = "android" })
            .Error(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("add:authenticators", description, StringComparison.Ordinal);

        var scoped = await _push.TrackAsync(userId, "enrol", new { scope = "add:authenticators" });
        await AddRaw(scoped, new { publicKey = second.PublicKey, deviceName = "second", devicePlatform = "android" }).Ok();

        var list = await _push.Server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        var push = list.EnumerateArray().Where(a => a.Str("verificationMethod") == "PUSH").ToList();
        Assert.Equal(2, push.Count);
        var firstListed = push.Single(a => a.Str("userAuthenticatorId") == added.Str("userAuthenticatorId"));
        Assert.Equal("first", firstListed.Str("displayName"));
        Assert.True(firstListed.Has("verifiedAt"));
    }

    [Fact]
    public async Task The_same_key_twice_returns_the_same_authenticator_and_another_user_cannot_take_it()
    {
        var userId = ApiFixture.NewUserId();
        var token = await _push.TrackAsync(userId, "enrol", new { scope = "add:authenticators" });
        var device = _push.NewDevice();
        var body = new { publicKey = device.PublicKey, deviceName = "phone", devicePlatform = "android" };
        var first = await AddRaw(token, body).Ok();
        var second = await AddRaw(token, body).Ok();
        Assert.Equal(first.Str("userAuthenticatorId"), second.Str("userAuthenticatorId"));

        var other = await _push.TrackAsync(ApiFixture.NewUserId(), "enrol", new { scope = "add:authenticators" });
        await AddRaw(other, body).Error(HttpStatusCode.BadRequest, "invalid_credential");
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_key_make_one_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var token = await _push.TrackAsync(userId, "enrol");
        var device = _push.NewDevice();
        var body = new { publicKey = device.PublicKey, deviceName = "phone", devicePlatform = "android" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => AddRaw(token, body).Ok()));

        Assert.Single(answers.Select(a => a.Str("userAuthenticatorId")).Distinct());
        var list = await _push.Server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        Assert.Equal(answers[0].Str("userAuthenticatorId"), Assert.Single(list.EnumerateArray()).Str("userAuthenticatorId"));
    }

    [Fact]
    public async Task Keys_that_are_not_P256_SPKI_are_refused_naming_the_field()
    {
        var token = await _push.TrackAsync(ApiFixture.NewUserId(), "enrol");
        foreach (var key in Vectors.GetProperty("notP256Keys").EnumerateArray().Select(k => k.Str("publicKey")).Append("%%%garbage%%%"))
        {
            var description = await AddRaw(token, new { publicKey = key, deviceName = "x", devicePlatform = "android" })
                .Error(HttpStatusCode.BadRequest, "invalid_request");
            Assert.StartsWith("publicKey", description, StringComparison.Ordinal);
        }
        using var rsa = RSA.Create(2048);
        await AddRaw(token, new { publicKey = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), devicePlatform = "android" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        await AddRaw(token, new { publicKey = _push.NewDevice().PublicKey, devicePlatform = "windows" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Both_query_encodings_of_the_key_find_the_credential()
    {
        // The vector key, so the query strings are the independent vectors' own.
        using var key = ECDsa.Create();
        key.ImportFromPem(Vectors.Str("privateKeyPkcs8Pem"));
        var device = new DeviceClient(fixture.Factory.CreateClient(), TestTenants.A, key);
        var userId = ApiFixture.NewUserId();
        var added = await device.AddCredentialAsync(await _push.TrackAsync(userId, "enrol"), "vector phone", "ios");

        var query = Encodings.GetProperty("publicKeyQuery");
        using var client = fixture.DeviceClient();
        foreach (var form in new[] { query.Str("ios"), query.Str("android"), Uri.EscapeDataString(query.Str("android")) })
        {
            var found = await client.GetAsync($"/v1/client/user-authenticators/push?publicKey={form}").Ok();
            Assert.Equal(added.Str("userAuthenticatorId"), found.Str("userAuthenticatorId"));
            Assert.Equal(userId, found.Str("userId"));
            Assert.True(found.Has("verifiedAt"));
            var pending = await client.GetAsync($"/v1/client/user-authenticators/push/challenge?publicKey={form}").Ok();
            Assert.Equal(added.Str("userAuthenticatorId"), pending.Str("userAuthenticatorId"));
        }
        await client.GetAsync($"/v1/client/user-authenticators/push?publicKey={_push.NewDevice().QueryKey}")
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
        await client.GetAsync("/v1/client/user-authenticators/push?publicKey=not-a-key").Error(HttpStatusCode.BadRequest, "invalid_credential");
        await fixture.AnonymousClient().GetAsync($"/v1/client/user-authenticators/push?publicKey={query.Str("ios")}")
            .Error(HttpStatusCode.Unauthorized, "unauthorized");

        // iOS sends Basic as unpadded base64url of "tenantId:".
        using var ios = fixture.AnonymousClient();
        ios.DefaultRequestHeaders.TryAddWithoutValidation("Authorization",
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.A + ":")).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        await ios.GetAsync($"/v1/client/user-authenticators/push?publicKey={query.Str("ios")}").Ok();
    }

    [Fact]
    public async Task Only_a_signed_get_pending_shows_custom_and_its_nonce_works_once()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var token = await _push.TrackAsync(userId, "transfer", new { custom = new { payee = "ACME" } });
        await _push.StartChallengeAsync(token);
        using var client = fixture.DeviceClient();
        var path = $"/v1/client/user-authenticators/push/challenge?publicKey={device.QueryKey}";

        Assert.False((await client.GetAsync(path).Ok()).Has("custom"));

        var nonce = (await client.PostAsync($"/v1/client/user-authenticators/push/challenge/sign?publicKey={device.QueryKey}", null).Ok()).Str("message");
        var signature = device.Sign(nonce);
        Assert.False((await Signed(client, path, device.Sign("not the nonce")).Ok()).Has("custom"));
        Assert.Equal("ACME", (await Signed(client, path, signature).Ok()).GetProperty("custom").Str("payee"));
        var replayed = await Signed(client, path, signature).Ok();
        Assert.True(replayed.Has("challengeId"));
        Assert.False(replayed.Has("custom"));

        // A nonce older than two minutes no longer unlocks anything.
        var old = (await client.PostAsync($"/v1/client/user-authenticators/push/challenge/sign?publicKey={device.QueryKey}", null).Ok()).Str("message");
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False((await Signed(client, path, device.Sign(old)).Ok()).Has("custom"));
    }

    private static Task<HttpResponseMessage> Signed(HttpClient client, string path, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("X-Authsignal-Signature", signature);
        return client.SendAsync(request);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-10)]
    public async Task Remove_accepts_the_current_and_the_previous_time_window(int minutes)
    {
        var userId = ApiFixture.NewUserId();
        var (device, authenticatorId) = await _push.EnrollAsync(userId);

        var removed = await device.RemoveAsync(fixture.Clock.GetUtcNow().AddMinutes(minutes));

        Assert.Equal(authenticatorId, removed.Str("removedAuthenticatorId"));
        var list = await _push.Server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        Assert.DoesNotContain(list.EnumerateArray(), a => a.Str("userAuthenticatorId") == authenticatorId);
        await fixture.DeviceClient().GetAsync($"/v1/client/user-authenticators/push?publicKey={device.QueryKey}")
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
    }

    [Fact]
    public async Task Remove_refuses_a_window_older_than_the_previous_one_and_a_bad_signature()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        using var client = fixture.DeviceClient();
        var now = fixture.Clock.GetUtcNow();

        foreach (var signature in new[]
                 {
                     device.Sign(DeviceClient.TimeWindowMessage(now.AddMinutes(-20))),
                     device.Sign(DeviceClient.TimeWindowMessage(now.AddMinutes(10))),
                     _push.NewDevice().Sign(DeviceClient.TimeWindowMessage(now)),
                 })
        {
            await client.PostJson("/v1/client/user-authenticators/push/remove", new { publicKey = device.PublicKey, signature })
                .Error(HttpStatusCode.BadRequest, "invalid_credential");
        }
        await fixture.DeviceClient().GetAsync($"/v1/client/user-authenticators/push?publicKey={device.QueryKey}").Ok();
    }

    [Fact]
    public async Task A_removed_or_deleted_credential_can_no_longer_fetch_or_answer()
    {
        var userId = ApiFixture.NewUserId();
        var (device, authenticatorId) = await _push.EnrollAsync(userId, "phone");
        var (other, _) = await _push.EnrollAsync(userId, "tablet");
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);

        await _push.Server.DeleteAsync($"/v1/users/{userId}/authenticators/{authenticatorId}").Ok();

        await fixture.DeviceClient().GetAsync($"/v1/client/user-authenticators/push/challenge?publicKey={device.QueryKey}")
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
        await _push.AnswerRawAsync(device, challengeId, approved: true).Error(HttpStatusCode.BadRequest, "invalid_credential");
        Assert.True((await other.AnswerAsync(challengeId, approved: true)).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_signed_update_changes_the_push_token_once_per_message()
    {
        var userId = ApiFixture.NewUserId();
        var (device, authenticatorId) = await _push.EnrollAsync(userId);

        var updated = await device.UpdateAsync("new-push-token", resetExpiry: true);
        Assert.Equal(authenticatorId, updated.Str("userAuthenticatorId"));
        Assert.Equal(userId, updated.Str("userId"));
        Assert.Equal("new-push-token", updated.Str("pushToken"));
        Assert.True(updated.Has("lastVerifiedAt"));
        Assert.True((await device.GetCredentialAsync()).Has("lastVerifiedAt"));

        using var client = fixture.DeviceClient();
        var message = await client.PostAsync($"/v1/client/user-authenticators/push/sign?publicKey={device.QueryKey}", null).Ok();
        var body = new
        {
            challengeId = message.Str("challengeId"), publicKey = device.PublicKey, signature = device.Sign(message.Str("message")), pushToken = "third",
        };
        await client.PatchJson("/v1/client/user-authenticators/push", body with { signature = device.Sign("wrong") })
            .Error(HttpStatusCode.BadRequest, "invalid_credential");
        await client.PatchJson("/v1/client/user-authenticators/push", body).Ok();
        await client.PatchJson("/v1/client/user-authenticators/push", body).Error(HttpStatusCode.BadRequest, "invalid_credential");

        // The new push token goes out with the next push.created.
        var token = await _push.TrackAsync(userId);
        var challengeId = await _push.StartChallengeAsync(token);
        var hook = await fixture.Webhooks.WaitForAsync(r => r.BodyText.Contains(challengeId, StringComparison.Ordinal));
        Assert.Equal("third", JsonDocument.Parse(hook.Body).RootElement.GetProperty("data").Str("pushToken"));
    }

    [Fact]
    public async Task With_number_matching_the_right_code_approves_and_a_wrong_one_rejects()
    {
        var push = new PushHelpers(fixture, TestTenants.Match, TestTenants.MatchKey);
        var userId = ApiFixture.NewUserId();
        var (device, _) = await push.EnrollAsync(userId);

        var token = await push.TrackAsync(userId);
        var started = await push.StartAsync(token).Ok();
        var code = started.Str("verificationCode");
        Assert.Matches("^[0-9]{2}$", code);
        var shown = await device.GetPendingAsync();
        Assert.False(shown.Has("verificationCode"));
        Assert.True((await device.AnswerAsync(started.Str("challengeId"), true, code)).GetProperty("isVerified").GetBoolean());
        Assert.True((await push.PollAsync(token, started.Str("challengeId")).Ok()).Has("accessToken"));

        var tracked = await push.TrackResponseAsync(userId);
        var second = await push.StartAsync(tracked.Str("token")).Ok();
        var wrong = second.Str("verificationCode") == "00" ? "01" : "00";
        Assert.False((await device.AnswerAsync(second.Str("challengeId"), true, wrong)).GetProperty("isVerified").GetBoolean());
        var poll = await push.PollAsync(tracked.Str("token"), second.Str("challengeId")).Ok();
        Assert.False(poll.GetProperty("isVerified").GetBoolean());
        Assert.True(poll.GetProperty("isConsumed").GetBoolean());
        Assert.Equal("CHALLENGE_FAILED", (await push.ActionAsync(userId, "signIn", tracked.Str("idempotencyKey"))).Str("state"));
        await push.AnswerRawAsync(device, second.Str("challengeId"), true, verificationCode: second.Str("verificationCode"))
            .Error(HttpStatusCode.Conflict, "conflict");

        var third = await push.TrackAsync(userId);
        var missing = await push.StartAsync(third).Ok();
        Assert.False((await device.AnswerAsync(missing.Str("challengeId"), true)).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Without_number_matching_start_returns_no_code()
    {
        var userId = ApiFixture.NewUserId();
        await _push.EnrollAsync(userId);
        var started = await _push.StartAsync(await _push.TrackAsync(userId)).Ok();
        Assert.False(started.Has("verificationCode"));
    }

    [Fact]
    public async Task An_answer_without_its_required_fields_is_an_invalid_request()
    {
        using var client = fixture.DeviceClient();
        var device = _push.NewDevice();
        await client.PostJson("/v1/client/user-authenticators/push/challenge", new { publicKey = device.PublicKey, signature = "x", approved = true })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostJson("/v1/client/user-authenticators/push/challenge", new { challengeId = "c", publicKey = device.PublicKey, signature = "x" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostRaw("/v1/client/user-authenticators/push/challenge", "").Error(HttpStatusCode.BadRequest, "invalid_request");
    }
}
