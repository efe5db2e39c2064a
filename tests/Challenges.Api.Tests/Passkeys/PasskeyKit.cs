using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Passkeys;

/// <summary>The passkey calls of a web app, a mobile app and a backend, for the tests of any server (in process or a real one).</summary>
public static class PasskeyKit
{
    /// <summary>The origins the test tenants allow (see <see cref="TestTenants.Passkeys"/>): a page, the iOS origin, an Android app.</summary>
    public const string WebOrigin = "http://localhost:3000";
    public const string IosOrigin = "https://localhost";
    public const string AndroidOrigin = "android:apk-key-hash:Ad2JBeJ1wNt8p4wY0qvYrQZ8pR9cS5sVhKfXz3mN0aE";
    public const string RpId = TestTenants.PasskeyRpId;

    public static readonly string[] Origins = [WebOrigin, IosOrigin, AndroidOrigin];

    public static string OriginOf(WireEncoding encoding) => encoding switch
    {
        WireEncoding.Ios => IosOrigin,
        WireEncoding.Android => AndroidOrigin,
        _ => WebOrigin,
    };

    /// <summary>A client with tenant Basic as the browser SDK sends it: base64 of the tenant id alone.</summary>
    public static HttpClient TenantBasic(HttpClient client, string tenantId = TestTenants.A)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(tenantId)));
        return client;
    }

    /// <summary>Registration options with a client token, then the authenticator's answer; the raw reply of the add call.</summary>
    public static async Task<HttpResponseMessage> RegisterAsync(HttpClient bearer, SoftwareAuthenticator authenticator,
        WireEncoding encoding = WireEncoding.Web, string? origin = null, string rpId = RpId, object? extra = null)
    {
        ArgumentNullException.ThrowIfNull(bearer);
        ArgumentNullException.ThrowIfNull(authenticator);
        var options = await bearer.PostJson("/v1/client/user-authenticators/passkey/registration-options", new { username = "someone" }).Ok();
        var challenge = options.GetProperty("options").Str("challenge");
        var body = new Dictionary<string, object?>
        {
            ["registrationCredential"] = authenticator.Register(challenge, origin ?? OriginOf(encoding), rpId, encoding),
            ["challengeId"] = options.Str("challengeId"),
        };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(extra);
        }
        return await bearer.PostJson("/v1/client/user-authenticators/passkey", body);
    }

    /// <summary>Registers and asserts it was verified; returns the reply.</summary>
    public static async Task<JsonElement> RegisteredAsync(HttpClient bearer, SoftwareAuthenticator authenticator, WireEncoding encoding = WireEncoding.Web)
    {
        var added = await (await RegisterAsync(bearer, authenticator, encoding)).Json();
        Assert.True(added.GetProperty("isVerified").GetBoolean(), added.ToString());
        return added;
    }

    /// <summary>Authentication options (Bearer, or tenant Basic with an optional reserved id): the challenge id and the challenge.</summary>
    public static async Task<(string ChallengeId, string Challenge, JsonElement Options)> AuthenticationOptionsAsync(HttpClient client, string? challengeId = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = await client.PostJson("/v1/client/user-authenticators/passkey/authentication-options", new { challengeId }).Ok();
        var options = reply.GetProperty("options");
        return (reply.Str("challengeId"), options.Str("challenge"), options);
    }

    /// <summary>Options, then an assertion by <paramref name="authenticator"/>; the raw reply of the verify call and the body it sent.</summary>
    public static async Task<(HttpResponseMessage Reply, Dictionary<string, object?> Body)> SignInAsync(HttpClient client, SoftwareAuthenticator authenticator,
        WireEncoding encoding = WireEncoding.Web, string? origin = null, string rpId = RpId, string? reservedId = null)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        var (challengeId, challenge, _) = await AuthenticationOptionsAsync(client, reservedId);
        var body = new Dictionary<string, object?>
        {
            ["authenticationCredential"] = authenticator.Assert(challenge, origin ?? OriginOf(encoding), rpId, encoding, userHandle: "anyone"),
            ["challengeId"] = challengeId,
            ["deviceId"] = "device-1",
        };
        return (await client.PostJson("/v1/client/verify/passkey", body), body);
    }
}
