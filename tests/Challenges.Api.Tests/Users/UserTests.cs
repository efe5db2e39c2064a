using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Users;

[Collection(ApiCollection.Name)]
public sealed class UserTests(ApiFixture fixture)
{
    private readonly HttpClient _server = fixture.ServerClient();

    [Fact]
    public async Task Unknown_user_is_not_enrolled()
    {
        var user = await _server.GetAsync($"/v1/users/{ApiFixture.NewUserId()}").Ok();
        Assert.False(user.GetProperty("isEnrolled").GetBoolean());
        Assert.False(user.GetProperty("emailVerified").GetBoolean());
        Assert.False(user.GetProperty("phoneNumberVerified").GetBoolean());
        Assert.False(user.Has("email"));
        Assert.Equal(0, user.GetProperty("enrolledVerificationMethods").GetArrayLength());
    }

    [Fact]
    public async Task Update_user_sets_clears_and_keeps_attributes()
    {
        var userId = ApiFixture.NewUserId();
        var set = await _server.PatchJson($"/v1/users/{userId}", new
        {
            email = "jane@example.com", phoneNumber = "+64270000003", username = "jane", displayName = "Jane", custom = new { tier = "gold" },
        }).Ok();
        Assert.Equal("jane@example.com", set.Str("email"));
        Assert.Equal("gold", set.GetProperty("custom").Str("tier"));

        var cleared = await _server.PatchJson($"/v1/users/{userId}", new { phoneNumber = "" }).Ok();
        Assert.False(cleared.Has("phoneNumber"));
        Assert.Equal("jane", cleared.Str("username"));

        var user = await _server.GetAsync($"/v1/users/{userId}").Ok();
        Assert.Equal("Jane", user.Str("displayName"));
        Assert.Equal("jane@example.com", user.Str("email"));
        Assert.False(user.GetProperty("emailVerified").GetBoolean());
    }

    [Theory]
    [InlineData("""{"email":"nope"}""", "email")]
    [InlineData("""{"phoneNumber":"+0"}""", "phoneNumber")]
    [InlineData("""{"custom":5}""", "custom")]
    [InlineData("""{"username":[]}""", "username")]
    public async Task Update_user_names_the_bad_field(string body, string field)
    {
        var text = await _server.PatchAsync($"/v1/users/{ApiFixture.NewUserId()}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(field + ":", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrolled_authenticators_are_listed_verified_and_make_the_user_enrolled()
    {
        var userId = ApiFixture.NewUserId();
        var sms = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000004" }).Ok();
        var email = await _server.PostJson($"/v1/users/{userId}/authenticators",
            new { verificationMethod = "EMAIL_OTP", email = "sam@example.com", isDefault = true }).Ok();

        var a = sms.GetProperty("authenticator");
        Assert.Equal(userId, a.Str("userId"));
        Assert.Equal("SMS", a.Str("verificationMethod"));
        Assert.Equal("+64270000004", a.Str("phoneNumber"));
        Assert.True(a.Has("verifiedAt"));
        Assert.True(Guid.TryParse(a.Str("userAuthenticatorId"), out _));

        var list = await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok();
        Assert.Equal(2, list.GetArrayLength());
        var user = await _server.GetAsync($"/v1/users/{userId}").Ok();
        Assert.True(user.GetProperty("isEnrolled").GetBoolean());
        Assert.Equal("EMAIL_OTP", user.Str("defaultVerificationMethod"));
        Assert.True(user.GetProperty("emailVerified").GetBoolean());
        Assert.True(user.GetProperty("phoneNumberVerified").GetBoolean());
        Assert.Equal(["SMS", "EMAIL_OTP"], user.GetProperty("enrolledVerificationMethods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(email.GetProperty("authenticator").Str("userAuthenticatorId"), list[1].Str("userAuthenticatorId"));
    }

    [Fact]
    public async Task Enrolling_the_same_destination_twice_returns_the_same_authenticator()
    {
        var userId = ApiFixture.NewUserId();
        var first = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000005" }).Ok();
        var second = await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000005" }).Ok();
        Assert.Equal(first.GetProperty("authenticator").Str("userAuthenticatorId"), second.GetProperty("authenticator").Str("userAuthenticatorId"));
        Assert.Equal(1, (await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
    }

    [Theory]
    [InlineData("""{}""", "verificationMethod: is required")]
    [InlineData("""{"verificationMethod":"PUSH"}""", "verificationMethod: must be one of")]
    [InlineData("""{"verificationMethod":"SMS"}""", "phoneNumber: is required")]
    [InlineData("""{"verificationMethod":"WHATSAPP","phoneNumber":"12345"}""", "phoneNumber: must be a phone number")]
    [InlineData("""{"verificationMethod":"EMAIL_OTP"}""", "email: is required")]
    [InlineData("""{"verificationMethod":"EMAIL_OTP","email":"x@"}""", "email: must be a valid email")]
    [InlineData("""{"verificationMethod":"SMS","phoneNumber":"+64270000006","isDefault":"yes"}""", "isDefault:")]
    public async Task Enrol_names_the_bad_field(string body, string description)
    {
        var text = await _server.PostRaw($"/v1/users/{ApiFixture.NewUserId()}/authenticators", body).Error(HttpStatusCode.BadRequest, "invalid_request");
        Assert.StartsWith(description, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_authenticator_removes_it_and_unknown_ones_are_not_found()
    {
        var userId = ApiFixture.NewUserId();
        var id = (await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000007" }).Ok())
            .GetProperty("authenticator").Str("userAuthenticatorId");

        await _server.DeleteAsync($"/v1/users/{userId}/authenticators/{id}").Ok();
        Assert.Equal(0, (await _server.GetAsync($"/v1/users/{userId}/authenticators").Ok()).GetArrayLength());
        Assert.False((await _server.GetAsync($"/v1/users/{userId}").Ok()).GetProperty("isEnrolled").GetBoolean());
        await _server.DeleteAsync($"/v1/users/{userId}/authenticators/{id}").Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Delete_user_removes_attributes_authenticators_and_actions()
    {
        var userId = ApiFixture.NewUserId();
        await _server.PatchJson($"/v1/users/{userId}", new { email = "gone@example.com" }).Ok();
        await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000008" }).Ok();
        await _server.PostJson($"/v1/users/{userId}/actions/signIn", new { idempotencyKey = "k" }).Ok();

        var deleted = await _server.DeleteAsync($"/v1/users/{userId}").Ok();

        Assert.Equal(System.Text.Json.JsonValueKind.Object, deleted.ValueKind);
        var user = await _server.GetAsync($"/v1/users/{userId}").Ok();
        Assert.False(user.GetProperty("isEnrolled").GetBoolean());
        Assert.False(user.Has("email"));
        await _server.GetAsync($"/v1/users/{userId}/actions/signIn/k").Error(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, (await _server.GetAsync($"/v1/users/{userId}/actions").Ok()).GetArrayLength());
    }

    [Fact]
    public async Task Users_of_one_tenant_are_invisible_to_another()
    {
        var userId = ApiFixture.NewUserId();
        await _server.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000009" }).Ok();
        var other = await fixture.ServerClient(TestTenants.BKey).GetAsync($"/v1/users/{userId}").Ok();
        Assert.False(other.GetProperty("isEnrolled").GetBoolean());
    }
}
