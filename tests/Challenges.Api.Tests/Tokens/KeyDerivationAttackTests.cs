using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Otp;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;
using Challenges.Api.Tests.Reliability;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Tokens;

/// <summary>
/// The signing secret is never used as a key itself: client tokens and OTP hashes each have a key derived for their
/// purpose alone (HKDF-SHA256, RFC 5869, with distinct labels), so neither can be turned against the other. Against a
/// real server process; the test derives the keys with the BCL on its own.
/// </summary>
public sealed class KeyDerivationAttackTests : ServerProcessTest
{
    private static byte[] Secret => Encoding.UTF8.GetBytes(TestTenants.SigningKey);

    private static byte[] Derived(string label) => HKDF.DeriveKey(HashAlgorithmName.SHA256, Secret, 32, [], Encoding.UTF8.GetBytes(label));

    private static string Sign(string genuineToken, byte[] key)
    {
        var payload = Base64UrlEncoder.Decode(genuineToken.Split('.')[1]);
        return new JsonWebTokenHandler().CreateToken(payload, new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256));
    }

    [Fact]
    public async Task A_token_signed_with_the_configured_secret_itself_is_refused()
    {
        var genuine = (await Admin.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");

        var forged = Sign(genuine, Secret);
        await Server.BearerClient(forged).GetAsync("/v1/client/user-authenticators").Error(System.Net.HttpStatusCode.Unauthorized, "unauthorized");
        await Admin.PostJson("/v1/validate", new { token = forged }).Error(System.Net.HttpStatusCode.Unauthorized, "unauthorized");

        // The key the server signs with is the one derived for client tokens.
        await Server.BearerClient(Sign(genuine, Derived("challenges/client-token-signing/v1"))).GetAsync("/v1/client/user-authenticators").Ok();
        await Server.BearerClient(Sign(genuine, Derived("challenges/otp-hash/v1"))).GetAsync("/v1/client/user-authenticators")
            .Error(System.Net.HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Stored_otp_hashes_are_keyed_with_a_key_of_their_own()
    {
        var (challengeId, code) = await OtpKit.PasswordlessSmsAsync(Admin, Webhooks, OtpKit.NewPhone());
        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        var stored = JsonDocument.Parse((string)(await redis.Database.StringGetAsync(OtpChallengeStore.KeyOf(TestTenants.A, challengeId)))!)
            .RootElement.Str("h");

        string Mac(byte[] key) => Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{challengeId}:{code}")));
        Assert.Equal(Mac(Derived("challenges/otp-hash/v1")), stored);
        Assert.NotEqual(Mac(Secret), stored);
        Assert.NotEqual(Mac(Derived("challenges/client-token-signing/v1")), stored);
    }
}
