using System.Net;
using System.Text;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Http;

[Collection(ApiCollection.Name)]
public sealed class BearerAuthenticationTests(ApiFixture fixture)
{
    private async Task<string> Token() =>
        (await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");

    [Fact]
    public async Task A_current_token_is_accepted()
    {
        await fixture.BearerClient(await Token()).GetAsync("/v1/client/user-authenticators").Ok();
    }

    [Fact]
    public async Task A_token_past_its_lifetime_is_expired_token()
    {
        var token = await Token();
        fixture.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(31));
        await fixture.BearerClient(token).GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "expired_token");
    }

    [Fact]
    public async Task A_token_within_the_clock_skew_is_still_accepted()
    {
        var token = await Token();
        fixture.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(20));
        await fixture.BearerClient(token).GetAsync("/v1/client/user-authenticators").Ok();
    }

    [Fact]
    public async Task Forged_alg_none_and_missing_tokens_are_unauthorized()
    {
        var parts = (await Token()).Split('.');
        var none = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";
        var forged = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("not the signature"))}";
        foreach (var token in new[] { none, forged, "garbage" })
        {
            await fixture.BearerClient(token).GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "unauthorized");
        }
        await fixture.AnonymousClient().GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_secret_key_is_not_a_client_credential()
    {
        await fixture.ServerClient().GetAsync("/v1/client/user-authenticators").Error(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Cors_preflight_is_allowed_for_a_tenant_origin_only()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/v1/client/challenge/sms");
        allowed.Headers.Add("Origin", "https://app.example");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        allowed.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        using var yes = await fixture.AnonymousClient().SendAsync(allowed);
        Assert.Equal("https://app.example", yes.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var denied = new HttpRequestMessage(HttpMethod.Options, "/v1/client/challenge/sms");
        denied.Headers.Add("Origin", "https://evil.example");
        denied.Headers.Add("Access-Control-Request-Method", "POST");
        using var no = await fixture.AnonymousClient().SendAsync(denied);
        Assert.False(no.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
