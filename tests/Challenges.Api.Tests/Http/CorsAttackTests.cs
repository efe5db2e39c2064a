using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Http;

/// <summary>
/// CORS per tenant, against a real server process: a page on tenant B's origin must not read the answers to calls
/// made with tenant A's credentials (tenant A allows https://app.example, tenant B https://b.example). Calls with
/// credentials (the browser SDK's <c>useCookies</c>: <c>credentials: "include"</c>) are granted to the exact origin only.
/// </summary>
public sealed class CorsAttackTests : ServerProcessTest
{
    private const string AOrigin = "https://app.example";
    private const string BOrigin = "https://b.example";

    protected override (string Key, string Value)[] Settings => [("Tenants:1:AllowedOrigins:0", BOrigin)];

    private async Task<string> TokenAsync(string secretKey) =>
        (await Server.Client(secretKey).PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");

    private async Task<string?> AllowedOriginAsync(HttpMethod method, string path, string origin, string authorization, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await Server.Client().SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    [Fact]
    public async Task Tenant_bs_origin_is_not_granted_on_tenant_as_calls()
    {
        var a = "Bearer " + await TokenAsync(TestTenants.AKey);
        var b = "Bearer " + await TokenAsync(TestTenants.BKey);
        const string path = "/v1/client/user-authenticators";

        Assert.Null(await AllowedOriginAsync(HttpMethod.Get, path, BOrigin, a, HttpStatusCode.OK));
        Assert.Equal(AOrigin, await AllowedOriginAsync(HttpMethod.Get, path, AOrigin, a, HttpStatusCode.OK));
        Assert.Null(await AllowedOriginAsync(HttpMethod.Get, path, AOrigin, b, HttpStatusCode.OK));
        Assert.Equal(BOrigin, await AllowedOriginAsync(HttpMethod.Get, path, BOrigin, b, HttpStatusCode.OK));
    }

    [Fact]
    public async Task Tenant_basic_calls_grant_only_that_tenants_origin()
    {
        var a = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.A + ":"));
        Assert.Null(await AllowedOriginAsync(HttpMethod.Post, "/v1/client/challenge", BOrigin, a, HttpStatusCode.OK));
        Assert.Equal(AOrigin, await AllowedOriginAsync(HttpMethod.Post, "/v1/client/challenge", AOrigin, a, HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_refused_call_is_readable_only_by_the_tenant_it_names()
    {
        // The web SDK reads a 401's code (expired_token) cross-origin, so a refusal keeps the named tenant's origin only.
        var parts = (await TokenAsync(TestTenants.AKey)).Split('.');
        var forged = $"Bearer {parts[0]}.{parts[1]}.{new string(parts[2].Reverse().ToArray())}";
        Assert.Equal(AOrigin, await AllowedOriginAsync(HttpMethod.Get, "/v1/client/user-authenticators", AOrigin, forged, HttpStatusCode.Unauthorized));
        Assert.Null(await AllowedOriginAsync(HttpMethod.Get, "/v1/client/user-authenticators", BOrigin, forged, HttpStatusCode.Unauthorized));
        Assert.Null(await AllowedOriginAsync(HttpMethod.Get, "/v1/client/user-authenticators", AOrigin, "Bearer garbage", HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task A_preflight_is_answered_for_configured_origins_only_with_the_exact_origin_and_credentials()
    {
        foreach (var (origin, allowed) in new[] { (AOrigin, true), (BOrigin, true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/v1/client/user-authenticators/passkey/registration-options/web");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            using var response = await Server.Client().SendAsync(preflight);
            Assert.Equal(allowed ? origin : null, Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal(allowed ? "true" : null, Header(response, "Access-Control-Allow-Credentials"));
            if (allowed)
            {
                // With credentials a browser honours no wildcard: the requested headers are named.
                Assert.Equal("authorization,content-type", Header(response, "Access-Control-Allow-Headers"));
            }
        }
    }

    /// <summary>A credentialed call as a browser sends it: its origin, the SDK's cookie, the Authorization header.</summary>
    private async Task<(string? Origin, string? Credentials, HttpStatusCode Status)> CredentialedAsync(string path, string origin,
        string authorization, object? body = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Cookie", "__as_aid=3f0c7b0e-8f0a-4c53-9f57-2d6a8e1f4b11; session=anything");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }
        using var response = await Server.Client().SendAsync(request);
        return (Header(response, "Access-Control-Allow-Origin"), Header(response, "Access-Control-Allow-Credentials"), response.StatusCode);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    [Fact]
    public async Task A_credentialed_call_from_a_listed_origin_is_granted_that_exact_origin_and_the_cookie_is_no_obstacle()
    {
        var a = "Bearer " + await TokenAsync(TestTenants.AKey);
        var granted = await CredentialedAsync("/v1/client/user-authenticators", AOrigin, a);
        Assert.Equal((AOrigin, "true", HttpStatusCode.OK), granted);

        var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.A));
        Assert.Equal((AOrigin, "true", HttpStatusCode.OK), await CredentialedAsync("/v1/client/challenge/web", AOrigin, basic, new { action = "signInWithPasskey" }));
    }

    [Fact]
    public async Task A_credentialed_call_from_an_unlisted_or_lookalike_origin_gets_no_cors_headers()
    {
        var a = "Bearer " + await TokenAsync(TestTenants.AKey);
        foreach (var origin in new[] { "https://evil.example", "http://app.example", "https://app.example:8443", "https://app.example.evil", "null", "*" })
        {
            var (allowOrigin, allowCredentials, status) = await CredentialedAsync("/v1/client/user-authenticators", origin, a);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Null(allowOrigin);
            Assert.Null(allowCredentials);
        }
    }

    [Fact]
    public async Task Another_tenants_origin_list_does_not_grant_credentialed_calls()
    {
        var a = "Bearer " + await TokenAsync(TestTenants.AKey);
        var b = "Bearer " + await TokenAsync(TestTenants.BKey);
        Assert.Equal((null, null, HttpStatusCode.OK), await CredentialedAsync("/v1/client/user-authenticators", BOrigin, a));
        Assert.Equal((null, null, HttpStatusCode.OK), await CredentialedAsync("/v1/client/user-authenticators", AOrigin, b));
        var basicA = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestTenants.A));
        Assert.Equal((null, null, HttpStatusCode.OK), await CredentialedAsync("/v1/client/challenge/web", BOrigin, basicA, new { action = "signInWithPasskey" }));
    }
}
