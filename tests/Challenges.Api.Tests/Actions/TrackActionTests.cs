using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Actions;

[Collection(ApiCollection.Name)]
public sealed class TrackActionTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    [Fact]
    public async Task Track_for_a_user_with_no_authenticator_allows_and_returns_a_token()
    {
        var userId = ApiFixture.NewUserId();
        var body = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();

        Assert.Equal("ALLOW", body.Str("state"));
        Assert.False(body.GetProperty("isEnrolled").GetBoolean());
        Assert.Equal(0, body.GetProperty("enrolledVerificationMethods").GetArrayLength());
        // Tenant A offers the default methods, and passkeys and security keys (TestTenants.Passkeys).
        Assert.Equal(["SMS", "WHATSAPP", "EMAIL_OTP", "PUSH", "EMAIL_MAGIC_LINK", "AUTHENTICATOR_APP", "PASSKEY", "SECURITY_KEY"],
            body.GetProperty("allowedVerificationMethods").EnumerateArray().Select(m => m.GetString()));
        Assert.False(body.Has("defaultVerificationMethod"));
        Assert.Equal(3, body.Str("token").Split('.').Length);
        Assert.StartsWith("https://challenges.test/", body.Str("url"), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(body.Str("idempotencyKey"), out _));
    }

    [Fact]
    public async Task Track_for_an_enrolled_user_requires_a_challenge()
    {
        var userId = ApiFixture.NewUserId();
        await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000001" }).Ok();

        var body = await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok();

        Assert.Equal("CHALLENGE_REQUIRED", body.Str("state"));
        Assert.True(body.GetProperty("isEnrolled").GetBoolean());
        Assert.Equal("SMS", body.GetProperty("enrolledVerificationMethods")[0].GetString());
        Assert.Equal("SMS", body.Str("defaultVerificationMethod"));
    }

    [Fact]
    public async Task Track_with_no_body_at_all_is_accepted()
    {
        using var response = await _server.PostAsync($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Track_with_an_empty_json_body_is_accepted()
    {
        using var response = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", "");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
