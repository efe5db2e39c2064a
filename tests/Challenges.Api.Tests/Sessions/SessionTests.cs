using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Sessions;

/// <summary>The session API (docs/contract.md §2.4) against a real Redis (and, in the second run, a Redis Cluster).</summary>
[Collection(ApiCollection.Name)]
public sealed class SessionTests(ApiFixture fixture)
{
    private readonly HttpClient _admin = fixture.ServerClient();

    private DateTimeOffset Now => fixture.Clock.GetUtcNow();

    [Fact]
    public async Task A_session_holds_an_RS256_access_token_for_the_client_and_an_opaque_refresh_token()
    {
        var (userId, token, _) = await SessionKit.SucceededAsync(_admin);
        await _admin.PatchJson($"/v1/users/{userId}", new { email = "jane@example.com", username = "jane", displayName = "Jane Doe" }).Ok();

        var session = await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Ok();

        var accessToken = session.Str("accessToken");
        var header = SessionKit.Header(accessToken);
        var jwks = await SessionKit.JwksAsync(fixture.AnonymousClient(), TestTenants.A);
        Assert.Equal("RS256", header.Str("alg"));
        Assert.Equal(jwks.GetProperty("keys")[0].Str("kid"), header.Str("kid"));
        var claims = SessionKit.Payload(accessToken);
        Assert.Equal(SessionKit.Issuer + TestTenants.A, claims.Str("iss"));
        Assert.Equal(TestTenants.WebClient, claims.Str("aud"));
        Assert.Equal(userId, claims.Str("sub"));
        Assert.Equal(Now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        Assert.Equal(Now.AddMinutes(10).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.True(Guid.TryParse(claims.Str("sid"), out _));
        Assert.True(Guid.TryParse(claims.Str("jti"), out _));
        Assert.Equal("jane@example.com", claims.Str("email"));
        Assert.Equal("+64270000777", claims.Str("phone_number"));
        Assert.Equal("jane", claims.Str("preferred_username"));
        Assert.Equal("Jane Doe", claims.Str("name"));
        Assert.False(claims.Has("verificationMethod"), "the backend set the state itself: no challenge method");
        Assert.Matches("^[0-9a-f]{64}$", session.Str("refreshToken"));
    }

    [Fact]
    public async Task The_access_token_verifies_against_the_tenants_JWKS_with_a_standard_JWT_library()
    {
        var (userId, accessToken, _) = await SessionKit.NewSessionAsync(_admin);
        var jwks = new JsonWebKeySet(JsonSerializer.Serialize(await SessionKit.JwksAsync(fixture.AnonymousClient(), TestTenants.A)));

        var principal = new JwtSecurityTokenHandler { MapInboundClaims = false }.ValidateToken(accessToken, new TokenValidationParameters
        {
            ValidIssuer = SessionKit.Issuer + TestTenants.A,
            ValidAudience = TestTenants.WebClient,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            // The server runs on the tests' clock.
            LifetimeValidator = (_, expires, _, _) => expires > Now.UtcDateTime,
        }, out _);

        Assert.Equal(userId, principal.FindFirst("sub")?.Value);
    }

    [Fact]
    public async Task Validate_answers_the_user_as_stored_now_the_expiry_and_the_method_of_the_challenge()
    {
        var userId = ApiFixture.NewUserId();
        var phone = OtpKit.NewPhone();
        var started = await _admin.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone }).Ok();
        var code = OtpKit.CodeSentTo(fixture.Webhooks, "sms.created", phone, fixture.Clock);
        await _admin.PostJson("/v1/verify", new { challengeId = started.Str("challengeId"), verificationCode = code }).Ok();
        var token = (await _admin.PostJson("/v1/claim", new { challengeId = started.Str("challengeId"), userId }).Ok()).Str("token");
        var accessToken = (await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token, action = "signIn" }).Ok())
            .Str("accessToken");
        await _admin.PatchJson($"/v1/users/{userId}", new { email = "later@example.com", custom = new { plan = "gold" } }).Ok();

        var validated = await SessionKit.ValidateAsync(_admin, accessToken).Ok();

        var user = validated.GetProperty("user");
        Assert.Equal(userId, user.Str("userId"));
        Assert.Equal("later@example.com", user.Str("email"));
        Assert.Equal("gold", user.GetProperty("custom").Str("plan"));
        Assert.Equal(SessionKit.Payload(accessToken).GetProperty("exp").GetInt64(), validated.GetProperty("expiresAt").GetInt64());
        Assert.Equal("SMS", validated.Str("verificationMethod"));
        Assert.Equal("SMS", SessionKit.Payload(accessToken).Str("verificationMethod"));
    }

    [Fact]
    public async Task Each_app_client_has_its_own_lifetimes_and_is_the_audience()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(_admin, TestTenants.IosClient);

        var claims = SessionKit.Payload(accessToken);
        Assert.Equal(TestTenants.IosClient, claims.Str("aud"));
        Assert.Equal(300, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
        await SessionKit.ValidateAsync(_admin, accessToken, [TestTenants.WebClient, TestTenants.IosClient]).Ok();
        var refused = await SessionKit.ValidateAsync(_admin, accessToken, [TestTenants.WebClient]).Error(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("another app client", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_access_token_answers_expired_token_and_its_refresh_token_still_works()
    {
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(_admin);
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));

        await SessionKit.ValidateAsync(_admin, accessToken).Error(HttpStatusCode.Unauthorized, "expired_token");
        var refreshed = await SessionKit.RefreshAsync(_admin, refreshToken).Ok();
        await SessionKit.ValidateAsync(_admin, refreshed.Str("accessToken")).Ok();
    }

    [Fact]
    public async Task An_action_makes_one_session_even_with_a_fresh_token_for_it()
    {
        var (userId, token, key) = await SessionKit.SucceededAsync(_admin);
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Ok();
        var fresh = (await _admin.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = key }).Ok()).Str("token");

        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.Conflict, "conflict");
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.IosClient, token = fresh }).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Making_a_session_and_validating_the_token_are_independent()
    {
        var (_, first, _) = await SessionKit.SucceededAsync(_admin);
        Assert.True((await _admin.PostJson("/v1/validate", new { token = first }).Ok()).GetProperty("isValid").GetBoolean());
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token = first }).Ok();

        var (_, second, _) = await SessionKit.SucceededAsync(_admin);
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token = second }).Ok();
        Assert.True((await _admin.PostJson("/v1/validate", new { token = second }).Ok()).GetProperty("isValid").GetBoolean());
    }

    [Fact]
    public async Task A_session_needs_a_current_client_token()
    {
        var (_, token, _) = await SessionKit.SucceededAsync(_admin);
        fixture.Clock.Advance(TimeSpan.FromMinutes(11));

        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.Unauthorized, "expired_token");
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token = token[..^4] + "AAAA" })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("CHALLENGE_REQUIRED")]
    [InlineData("CHALLENGE_FAILED")]
    [InlineData("BLOCK")]
    [InlineData("ALLOW")]
    [InlineData("REVIEW_SUCCEEDED")]
    public async Task A_session_needs_an_action_that_succeeded_a_challenge(string state)
    {
        var userId = ApiFixture.NewUserId();
        var tracked = await _admin.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();
        await _admin.PatchJson($"/v1/users/{userId}/actions/signIn/{tracked.Str("idempotencyKey")}", new { state }).Ok();

        var refused = await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token = tracked.Str("token") })
            .Error(HttpStatusCode.Conflict, "conflict");
        Assert.Contains(state, refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_or_another_action_is_refused()
    {
        var (_, token, _) = await SessionKit.SucceededAsync(_admin);

        var unknown = await _admin.PostJson("/v1/sessions", new { clientId = "desktop", token }).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("clientId:", unknown, StringComparison.Ordinal);
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token, action = "payment" })
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token, action = "signIn" }).Ok();
    }

    [Fact]
    public async Task A_token_whose_action_is_gone_makes_no_session()
    {
        var (userId, token, _) = await SessionKit.SucceededAsync(_admin);
        await _admin.DeleteAsync($"/v1/users/{userId}");

        await _admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Refresh_returns_a_new_pair_and_retires_the_tokens_before_it()
    {
        var (userId, accessToken, refreshToken) = await SessionKit.NewSessionAsync(_admin);

        var refreshed = await SessionKit.RefreshAsync(_admin, refreshToken).Ok();

        Assert.NotEqual(refreshToken, refreshed.Str("refreshToken"));
        var claims = SessionKit.Payload(refreshed.Str("accessToken"));
        Assert.Equal(SessionKit.Payload(accessToken).Str("sid"), claims.Str("sid"));
        Assert.Equal(userId, claims.Str("sub"));
        await SessionKit.ValidateAsync(_admin, accessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.ValidateAsync(_admin, refreshed.Str("accessToken")).Ok();
        await SessionKit.RefreshAsync(_admin, refreshed.Str("refreshToken")).Ok();
    }

    [Fact]
    public async Task Reusing_a_replaced_refresh_token_revokes_the_session()
    {
        var (_, _, refreshToken) = await SessionKit.NewSessionAsync(_admin);
        var refreshed = await SessionKit.RefreshAsync(_admin, refreshToken).Ok();

        var refused = await SessionKit.RefreshAsync(_admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");

        Assert.Contains("revoked", refused, StringComparison.Ordinal);
        await SessionKit.ValidateAsync(_admin, refreshed.Str("accessToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(_admin, refreshed.Str("refreshToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Revoke_ends_the_session_for_its_access_and_refresh_tokens_and_may_be_repeated()
    {
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(_admin);

        Assert.Equal("{}", (await _admin.PostJson("/v1/sessions/revoke", new { accessToken }).Ok()).GetRawText());
        await _admin.PostJson("/v1/sessions/revoke", new { accessToken }).Ok();

        await SessionKit.ValidateAsync(_admin, accessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(_admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Revoke_with_an_expired_access_token_still_ends_the_session()
    {
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(_admin);
        fixture.Clock.Advance(TimeSpan.FromMinutes(15));

        await _admin.PostJson("/v1/sessions/revoke", new { accessToken }).Ok();

        await SessionKit.RefreshAsync(_admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Revoking_a_users_sessions_ends_every_one_of_them_and_no_one_elses()
    {
        var (userId, web, webRefresh) = await SessionKit.NewSessionAsync(_admin);
        var (_, ios, _) = await SessionKit.NewSessionAsync(_admin, TestTenants.IosClient, userId);
        var (_, other, _) = await SessionKit.NewSessionAsync(_admin);

        Assert.Equal("{}", (await _admin.PostJson("/v1/sessions/user/revoke", new { userId }).Ok()).GetRawText());

        await SessionKit.ValidateAsync(_admin, web).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.ValidateAsync(_admin, ios).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(_admin, webRefresh).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.ValidateAsync(_admin, other).Ok();
        await _admin.PostJson("/v1/sessions/user/revoke", new { userId = ApiFixture.NewUserId() }).Ok();
    }

    [Fact]
    public async Task A_session_ends_after_its_refresh_token_lifetime_and_no_access_token_outlives_it()
    {
        var (_, _, refreshToken) = await SessionKit.NewSessionAsync(_admin, TestTenants.IosClient);
        var sessionEnd = Now.AddHours(1).ToUnixTimeSeconds();
        fixture.Clock.Advance(TimeSpan.FromMinutes(58));

        var late = await SessionKit.RefreshAsync(_admin, refreshToken).Ok();

        Assert.Equal(sessionEnd, SessionKit.Payload(late.Str("accessToken")).GetProperty("exp").GetInt64());
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        await SessionKit.RefreshAsync(_admin, late.Str("refreshToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Deleting_the_user_ends_their_sessions()
    {
        var (userId, accessToken, refreshToken) = await SessionKit.NewSessionAsync(_admin);

        await _admin.DeleteAsync($"/v1/users/{userId}");

        await SessionKit.ValidateAsync(_admin, accessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(_admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_user_beyond_the_session_cap_loses_the_oldest_session()
    {
        var admin = fixture.ServerClient(TestTenants.MatchKey);
        var userId = ApiFixture.NewUserId();
        var tokens = new List<string>();
        for (var i = 0; i <= TestTenants.MatchMaxSessions; i++)
        {
            tokens.Add((await SessionKit.NewSessionAsync(admin, userId: userId)).AccessToken);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await SessionKit.ValidateAsync(admin, tokens[0]).Error(HttpStatusCode.Unauthorized, "unauthorized");
        foreach (var kept in tokens.Skip(1))
        {
            await SessionKit.ValidateAsync(admin, kept).Ok();
        }
    }

    [Theory]
    [InlineData("/v1/sessions", """{}""", "clientId: is required")]
    [InlineData("/v1/sessions", """{"clientId":"web"}""", "token: is required")]
    [InlineData("/v1/sessions", """{"clientId":"web","token":42}""", "token:")]
    [InlineData("/v1/sessions", """{"clientId":"a\u0001b","token":"x"}""", "clientId:")]
    [InlineData("/v1/sessions/validate", """{}""", "accessToken: is required")]
    [InlineData("/v1/sessions/validate", """{"accessToken":"x","clientIds":"web"}""", "clientIds:")]
    [InlineData("/v1/sessions/validate", """{"accessToken":"x","clientIds":[""]}""", "clientIds:")]
    [InlineData("/v1/sessions/refresh", """{}""", "refreshToken: is required")]
    [InlineData("/v1/sessions/refresh", """{"refreshToken":["a"]}""", "refreshToken:")]
    [InlineData("/v1/sessions/revoke", """{"accessToken":""}""", "accessToken: is required")]
    [InlineData("/v1/sessions/user/revoke", """{}""", "userId: is required")]
    [InlineData("/v1/sessions/user/revoke", "not json", "The request body is not valid JSON")]
    public async Task A_bad_body_is_refused_naming_the_field(string path, string body, string description)
    {
        var text = await _admin.PostRaw(path, body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_body_is_refused_naming_the_first_field()
    {
        var text = await _admin.PostRaw("/v1/sessions", "").Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("clientId: is required", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_token_is_refused_unread()
    {
        var text = await SessionKit.ValidateAsync(_admin, new string('a', 9000)).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith("accessToken: must be at most", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_calls_need_the_secret_key()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(_admin);
        await fixture.AnonymousClient().PostJson("/v1/sessions/validate", new { accessToken }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await fixture.BearerClient(accessToken).PostJson("/v1/sessions/validate", new { accessToken }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_JWKS_is_public_may_be_cached_and_is_not_found_for_an_unknown_tenant()
    {
        using var response = await fixture.AnonymousClient().GetAsync($"/v1/tenants/{TestTenants.A}/.well-known/jwks.json");
        var key = Assert.Single((await response.Json()).GetProperty("keys").EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        Assert.Equal("RSA", key.Str("kty"));
        Assert.Equal("sig", key.Str("use"));
        Assert.Equal("RS256", key.Str("alg"));
        Assert.Equal("AQAB", key.Str("e"));
        Assert.Equal(256, Base64UrlEncoder.DecodeBytes(key.Str("n")).Length);
        Assert.False(key.Has("d"), "no private part");
        await fixture.AnonymousClient().GetAsync("/v1/tenants/no-such-tenant/.well-known/jwks.json").Error(HttpStatusCode.NotFound, "not_found");
    }
}
