using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Tokens;

/// <summary>
/// Forged client tokens against every reader of them in a real server process: the Client API's Bearer scheme,
/// <c>/v1/validate</c>, the step-up API and the hosted page. Each forgery is signed with the genuine derived key
/// (derived here with the BCL), so only the one thing the attacker changed is wrong.
/// </summary>
public sealed class ClientTokenAttackTests : ServerProcessTest
{
    private static readonly byte[] Key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(TestTenants.SigningKey), 32, [],
        Encoding.UTF8.GetBytes("challenges/client-token-signing/v1"));

    private async Task<string> TrackAsync() =>
        (await Admin.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");

    private static string Sign(string header, string payload, Func<byte[], byte[], byte[]> mac)
    {
        var signed = $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(payload)}";
        return $"{signed}.{Base64UrlEncoder.Encode(mac(Key, Encoding.ASCII.GetBytes(signed)))}";
    }

    private static string PayloadOf(string token) => Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));

    /// <summary>
    /// The token is refused by each reader: 401 <c>unauthorized</c> (the step-up API's own body), the hosted page's 401;
    /// validate's answer is <paramref name="validate"/> (401 <c>unauthorized</c> unless the token is refused as a field).
    /// </summary>
    private async Task AssertRefusedEverywhere(string token, (HttpStatusCode Status, string Code)? validate = null)
    {
        var (status, code) = validate ?? (HttpStatusCode.Unauthorized, "unauthorized");
        await Server.BearerClient(token).GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/validate", new { token }).Error(status, code);
        using (var stepUp = await Server.BearerClient(token).PostAsync("/stepup/challenges/push/BIOMETRIC", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stepUp.StatusCode);
            Assert.Equal("unauthorized", JsonDocument.Parse(await stepUp.Content.ReadAsStringAsync()).RootElement.Str("code"));
        }
        using var page = await Server.Client().GetAsync($"/hosted?token={Uri.EscapeDataString(token)}");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task A_genuine_payload_re_signed_as_hs512_with_the_right_key_is_refused_everywhere()
    {
        var payload = PayloadOf(await TrackAsync());
        await AssertRefusedEverywhere(Sign("""{"alg":"HS512","typ":"JWT"}""", payload, HMACSHA512.HashData));
        // The same payload under an HS256 header is accepted: the algorithm alone was wrong.
        await Server.BearerClient(Sign("""{"alg":"HS256","typ":"JWT"}""", payload, HMACSHA256.HashData))
            .GetAsync("/v1/client/user-authenticators").Ok();
    }

    [Fact]
    public async Task A_genuine_payload_under_alg_none_is_refused_everywhere()
    {
        var payload = PayloadOf(await TrackAsync());
        await AssertRefusedEverywhere($"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{Base64UrlEncoder.Encode(payload)}.");
        await AssertRefusedEverywhere(Sign("""{"alg":"none","typ":"JWT"}""", payload, HMACSHA256.HashData));
    }

    [Fact]
    public async Task A_token_naming_a_tenant_that_is_not_configured_is_refused_everywhere()
    {
        var payload = PayloadOf(await TrackAsync()).Replace($"\"{TestTenants.A}\"", "\"tenant-removed\"", StringComparison.Ordinal);
        await AssertRefusedEverywhere(Sign("""{"alg":"HS256","typ":"JWT"}""", payload, HMACSHA256.HashData));
    }

    [Fact]
    public async Task A_token_for_another_tenant_is_refused_by_the_other_tenants_validate()
    {
        var payload = PayloadOf(await TrackAsync()).Replace($"\"{TestTenants.A}\"", $"\"{TestTenants.B}\"", StringComparison.Ordinal);
        var forTenantB = Sign("""{"alg":"HS256","typ":"JWT"}""", payload, HMACSHA256.HashData);
        // Tenant A's Server API cannot validate tenant B's token, whoever signed it.
        await Admin.PostJson("/v1/validate", new { token = forTenantB }).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_oversized_token_is_refused_unread_with_the_contract_body()
    {
        var payload = PayloadOf(await TrackAsync());
        var oversized = Sign("""{"alg":"HS256","typ":"JWT"}""", payload[..^1] + $",\"pad\":\"{new string('x', 8192)}\"}}", HMACSHA256.HashData);
        Assert.True(oversized.Length > 8192);
        // Validate's body rule refuses the field before any token is read.
        await AssertRefusedEverywhere(oversized, (HttpStatusCode.BadRequest, "invalid_request"));
    }

    [Fact]
    public async Task A_token_issued_by_a_clock_ahead_of_the_skew_is_refused_and_not_called_expired()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = PayloadOf(await TrackAsync());
        using var claims = JsonDocument.Parse(payload);
        var future = payload
            .Replace($"\"iat\":{claims.RootElement.GetProperty("iat").GetInt64()}", $"\"iat\":{now + 3600}", StringComparison.Ordinal)
            .Replace($"\"nbf\":{claims.RootElement.GetProperty("nbf").GetInt64()}", $"\"nbf\":{now + 3600}", StringComparison.Ordinal);
        Assert.NotEqual(payload, future);
        await AssertRefusedEverywhere(Sign("""{"alg":"HS256","typ":"JWT"}""", future, HMACSHA256.HashData));
    }
}
