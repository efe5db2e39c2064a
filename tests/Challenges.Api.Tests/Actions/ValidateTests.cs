using System.Net;
using System.Text;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Actions;

[Collection(ApiCollection.Name)]
public sealed class ValidateTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    private async Task<(string UserId, string Key, string Token)> Tracked(string? scope = null)
    {
        var userId = ApiFixture.NewUserId();
        await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000002" }).Ok();
        var tracked = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { scope }).Ok();
        return (userId, tracked.Str("idempotencyKey"), tracked.Str("token"));
    }

    [Fact]
    public async Task Validate_is_valid_once_for_a_succeeded_action()
    {
        var (userId, key, token) = await Tracked();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();

        var first = await _server.PostJson("/v1/validate", new { token }).Ok();
        var second = await _server.PostJson("/v1/validate", new { token }).Ok();

        Assert.True(first.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", first.Str("state"));
        Assert.Equal(userId, first.Str("userId"));
        Assert.Equal("signIn", first.Str("actionCode"));
        Assert.Equal("signIn", first.Str("action"));
        Assert.Equal(key, first.Str("idempotencyKey"));
        Assert.False(second.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", second.Str("state"));
    }

    [Fact]
    public async Task Concurrent_validations_of_one_token_are_valid_exactly_once()
    {
        var (userId, key, token) = await Tracked();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _server.PostJson("/v1/validate", new { token }).Ok()));

        Assert.Equal(1, results.Count(r => r.GetProperty("isValid").GetBoolean()));
    }

    [Fact]
    public async Task Validate_of_an_action_still_waiting_is_not_valid()
    {
        var (_, _, token) = await Tracked();
        var body = await _server.PostJson("/v1/validate", new { token }).Ok();
        Assert.False(body.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_REQUIRED", body.Str("state"));
    }

    [Fact]
    public async Task Validate_of_an_expired_genuine_token_is_not_valid_and_does_not_consume()
    {
        var (userId, key, token) = await Tracked();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();
        // The fake clock only moves forward: later tests start their own challenges and tokens from the new time.
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));
        var body = await _server.PostJson("/v1/validate", new { token }).Ok();
        Assert.False(body.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", body.Str("state"));
    }

    [Fact]
    public async Task Validate_with_a_mismatched_user_id_is_not_valid_and_does_not_consume()
    {
        var (userId, key, token) = await Tracked();
        await _server.PatchJson($"/v1/users/{userId}/actions/signIn/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();

        var wrong = await _server.PostJson("/v1/validate", new { token, userId = "someone-else" }).Ok();
        var right = await _server.PostJson("/v1/validate", new { token, userId, action = "signIn" }).Ok();

        Assert.False(wrong.GetProperty("isValid").GetBoolean());
        Assert.True(right.GetProperty("isValid").GetBoolean());
    }

    [Fact]
    public async Task Validate_of_a_forged_token_is_unauthorized()
    {
        var (_, _, token) = await Tracked();
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]))
            .Replace("\"signIn\"", "\"payment\"", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        await _server.PostJson("/v1/validate", new { token = forged }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Validate_of_an_alg_none_token_is_unauthorized()
    {
        var (_, _, token) = await Tracked();
        var payload = token.Split('.')[1];
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        await _server.PostJson("/v1/validate", new { token = $"{header}.{payload}." }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Validate_of_another_tenants_token_is_unauthorized()
    {
        var (_, _, token) = await Tracked();
        await fixture.ServerClient(TestTenants.BKey).PostJson("/v1/validate", new { token }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("""{}""", "token: is required")]
    [InlineData("""{"token":""}""", "token: is required")]
    [InlineData("""{"token":42}""", "token:")]
    [InlineData("""not json""", "The request body is not valid JSON")]
    public async Task Validate_with_a_bad_body_is_refused(string body, string description)
    {
        var text = await _server.PostRaw("/v1/validate", body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_of_garbage_is_unauthorized()
    {
        await _server.PostJson("/v1/validate", new { token = "abc.def.ghi" }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Token_carries_the_contract_claims_and_the_tracked_scope()
    {
        var (userId, key, token) = await Tracked("add:authenticators read:authenticators");
        var payload = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[1])).RootElement;

        Assert.Equal(userId, payload.Str("sub"));
        Assert.Equal("add:authenticators read:authenticators", payload.Str("scope"));
        Assert.Equal(600, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        var other = payload.GetProperty("other");
        Assert.Equal(TestTenants.A, other.Str("tenantId"));
        Assert.Equal(userId, other.Str("userId"));
        Assert.Equal("signIn", other.Str("actionCode"));
        Assert.Equal(key, other.Str("idempotencyKey"));
        Assert.True(payload.Has("aud"));
        var header = System.Text.Json.JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.Split('.')[0])).RootElement;
        Assert.Equal("HS256", header.Str("alg"));
    }
}
