using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Sessions;

/// <summary>What another tenant, a thief of a token, or a forger can do with the session API, against a real server process.</summary>
public sealed class SessionAttackTests : ServerProcessTest
{
    private const string Plain = "tenant-plain";
    private const string PlainKey = "test-secret-key-tenant-plain-0123456789ab";

    /// <summary>A fourth tenant without app clients: it makes no sessions.</summary>
    protected override (string Key, string Value)[] Settings =>
        [("Tenants:3:Id", Plain), ("Tenants:3:SecretKeys:0", PlainKey), ("Tenants:3:WebhookUrl", Webhooks.Url.ToString())];

    private HttpClient TenantB => Server.Client(TestTenants.BKey);

    [Fact]
    public async Task Another_tenants_client_token_makes_no_session()
    {
        var (_, token, _) = await SessionKit.SucceededAsync(Admin);

        await TenantB.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Ok();
    }

    [Fact]
    public async Task Another_tenant_can_neither_validate_refresh_nor_revoke_a_session()
    {
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(Admin);

        await SessionKit.ValidateAsync(TenantB, accessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await TenantB.PostJson("/v1/sessions/revoke", new { accessToken }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(TenantB, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");

        // Nothing happened to the session: its tokens are still the current ones.
        await SessionKit.ValidateAsync(Admin, accessToken).Ok();
        await SessionKit.RefreshAsync(Admin, refreshToken).Ok();
    }

    [Fact]
    public async Task A_stolen_refresh_token_used_first_loses_the_session_as_soon_as_the_owner_refreshes()
    {
        var (_, _, refreshToken) = await SessionKit.NewSessionAsync(Admin);
        var thief = await SessionKit.RefreshAsync(Admin, refreshToken).Ok();
        await SessionKit.ValidateAsync(Admin, thief.Str("accessToken")).Ok();

        await SessionKit.RefreshAsync(Admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");

        await SessionKit.ValidateAsync(Admin, thief.Str("accessToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(Admin, thief.Str("refreshToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_refresh_token_that_was_never_issued_is_refused_and_revokes_nothing()
    {
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(Admin);

        await SessionKit.RefreshAsync(Admin, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)))
            .Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(Admin, refreshToken[..^1] + (refreshToken[^1] == '0' ? '1' : '0'))
            .Error(HttpStatusCode.Unauthorized, "unauthorized");

        await SessionKit.ValidateAsync(Admin, accessToken).Ok();
        await SessionKit.RefreshAsync(Admin, refreshToken).Ok();
    }

    [Fact]
    public async Task Concurrent_refreshes_with_one_refresh_token_get_at_most_one_new_pair()
    {
        var (_, _, refreshToken) = await SessionKit.NewSessionAsync(Admin);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await SessionKit.RefreshAsync(Admin, refreshToken);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        var winners = answers.Where(a => a.StatusCode == HttpStatusCode.OK).ToList();
        Assert.True(winners.Count <= 1, $"{winners.Count} refreshes of one token succeeded");
    }

    [Fact]
    public async Task A_session_signed_out_with_a_retired_access_token_leaves_no_token_working()
    {
        var (_, retired, refreshToken) = await SessionKit.NewSessionAsync(Admin);
        var current = await SessionKit.RefreshAsync(Admin, refreshToken).Ok();

        await Admin.PostJson("/v1/sessions/revoke", new { accessToken = retired }).Ok();

        await SessionKit.ValidateAsync(Admin, current.Str("accessToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(Admin, current.Str("refreshToken")).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_token_signed_with_another_RSA_key_under_the_tenants_kid_is_refused()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(Admin);
        using var forger = RSA.Create(2048);

        var forged = SessionKit.Compose(SessionKit.Header(accessToken), SessionKit.Claims(accessToken),
            input => forger.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        await SessionKit.ValidateAsync(Admin, forged).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/sessions/revoke", new { accessToken = forged }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.ValidateAsync(Admin, accessToken).Ok();
    }

    [Fact]
    public async Task A_token_with_a_changed_claim_is_refused()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(Admin);
        var (victim, _, _) = await SessionKit.NewSessionAsync(Admin);
        var parts = accessToken.Split('.');
        var claims = SessionKit.Claims(accessToken);
        claims["sub"] = victim;

        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims))}.{parts[2]}";

        await SessionKit.ValidateAsync(Admin, tampered).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_alg_none_token_is_refused()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(Admin);

        var unsigned = SessionKit.Compose(new { alg = "none", typ = "JWT" }, SessionKit.Claims(accessToken));

        await SessionKit.ValidateAsync(Admin, unsigned).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/sessions/revoke", new { accessToken = unsigned }).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.ValidateAsync(Admin, accessToken).Ok();
    }

    [Fact]
    public async Task An_HS256_token_keyed_with_the_tenants_public_key_is_refused()
    {
        var (_, accessToken, _) = await SessionKit.NewSessionAsync(Admin);
        var jwk = (await SessionKit.JwksAsync(Server.Client(), TestTenants.A)).GetProperty("keys")[0];
        using var publicKey = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes(jwk.Str("n")),
            Exponent = Base64UrlEncoder.DecodeBytes(jwk.Str("e")),
        });
        var header = new { alg = "HS256", typ = "JWT", kid = jwk.Str("kid") };

        // The secrets a confused verifier might take for the HMAC key: the PEM, the DER, the JWK text.
        foreach (var secret in new[]
        {
            Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem()),
            publicKey.ExportSubjectPublicKeyInfo(),
            Encoding.UTF8.GetBytes(jwk.GetRawText()),
        })
        {
            var confused = SessionKit.Compose(header, SessionKit.Claims(accessToken), input => HMACSHA256.HashData(secret, input));
            await SessionKit.ValidateAsync(Admin, confused).Error(HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task Tenant_As_JWKS_does_not_verify_tenant_Bs_tokens()
    {
        var (_, tokenOfB, _) = await SessionKit.NewSessionAsync(TenantB);
        var jwksOfA = new JsonWebKeySet(JsonSerializer.Serialize(await SessionKit.JwksAsync(Server.Client(), TestTenants.A)));
        var jwksOfB = new JsonWebKeySet(JsonSerializer.Serialize(await SessionKit.JwksAsync(Server.Client(), TestTenants.B)));
        var handler = new JwtSecurityTokenHandler { MapInboundClaims = false };
        TokenValidationParameters With(JsonWebKeySet keys) => new()
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };

        Assert.NotEqual(jwksOfA.Keys[0].Kid, jwksOfB.Keys[0].Kid);
        Assert.ThrowsAny<SecurityTokenException>(() => handler.ValidateToken(tokenOfB, With(jwksOfA), out _));
        handler.ValidateToken(tokenOfB, With(jwksOfB), out _);
        Assert.Equal(SessionKit.Issuer + TestTenants.B, SessionKit.Payload(tokenOfB).Str("iss"));
    }

    [Fact]
    public async Task Piling_up_sessions_for_one_user_keeps_only_the_newest_within_the_cap()
    {
        var admin = Server.Client(TestTenants.MatchKey);
        var userId = ApiFixture.NewUserId();
        var tokens = new List<string>();
        for (var i = 0; i < 3 * TestTenants.MatchMaxSessions; i++)
        {
            tokens.Add((await SessionKit.NewSessionAsync(admin, userId: userId)).AccessToken);
        }

        var valid = new List<int>();
        for (var i = 0; i < tokens.Count; i++)
        {
            using var response = await SessionKit.ValidateAsync(admin, tokens[i]);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                valid.Add(i);
            }
        }
        Assert.Equal(Enumerable.Range(tokens.Count - TestTenants.MatchMaxSessions, TestTenants.MatchMaxSessions), valid);
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        Assert.Equal(TestTenants.MatchMaxSessions, redis.Keys($"u:{{{TestTenants.Match}:{userId}}}:session:*").Count);
    }

    [Fact]
    public async Task A_tenant_without_app_clients_publishes_no_keys_and_accepts_no_session_token()
    {
        var plain = Server.Client(PlainKey);
        var (_, accessToken, refreshToken) = await SessionKit.NewSessionAsync(Admin);
        var (_, token, _) = await SessionKit.SucceededAsync(plain);

        Assert.Equal("""{"keys":[]}""", (await SessionKit.JwksAsync(Server.Client(), Plain)).GetRawText());
        await plain.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.BadRequest, "invalid_request");
        await SessionKit.ValidateAsync(plain, accessToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await SessionKit.RefreshAsync(plain, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_blocked_action_makes_no_session()
    {
        var userId = ApiFixture.NewUserId();
        await Admin.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000778" }).Ok();
        var token = (await Admin.PostJson($"/v1/users/{userId}/actions/blockedAction", new { }).Ok()).Str("token");

        await Admin.PostJson("/v1/sessions", new { clientId = TestTenants.WebClient, token }).Error(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task No_session_token_reaches_the_logs()
    {
        var (userId, accessToken, refreshToken) = await SessionKit.NewSessionAsync(Admin);
        var refreshed = await SessionKit.RefreshAsync(Admin, refreshToken).Ok();
        await SessionKit.RefreshAsync(Admin, refreshToken).Error(HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/sessions/user/revoke", new { userId }).Ok();

        Assert.Contains("was used again: the session is revoked", Server.Output, StringComparison.Ordinal);
        ProcessSettings.AssertNoSecrets(Server.Output, [accessToken, refreshToken, refreshed.Str("accessToken"), refreshed.Str("refreshToken"),
            TestTenants.AKey, TestTenants.SigningKey]);
    }
}
