using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Challenges.Api.Tests.Sessions;

/// <summary>What the session tests share: a client token whose action succeeded, sessions made from it, reading JWTs.</summary>
internal static class SessionKit
{
    public const string Issuer = "https://challenges.test/v1/tenants/";

    /// <summary>
    /// Tracks <paramref name="action"/> for a user with a verified SMS authenticator and marks it succeeded the way a
    /// backend may (PATCH); returns the client token from track and the idempotency key.
    /// </summary>
    public static async Task<(string UserId, string Token, string IdempotencyKey)> SucceededAsync(HttpClient admin, string? userId = null,
        string action = "signIn")
    {
        userId ??= ApiFixture.NewUserId();
        await admin.PostJson($"/v1/users/{userId}/authenticators", new { verificationMethod = "SMS", phoneNumber = "+64270000777" }).Ok();
        var tracked = await admin.PostJson($"/v1/users/{userId}/actions/{action}", new { }).Ok();
        var key = tracked.Str("idempotencyKey");
        await admin.PatchJson($"/v1/users/{userId}/actions/{action}/{key}", new { state = "CHALLENGE_SUCCEEDED" }).Ok();
        return (userId, tracked.Str("token"), key);
    }

    /// <summary>A fresh session of a new user of the admin's tenant: user id, access token, refresh token.</summary>
    public static async Task<(string UserId, string AccessToken, string RefreshToken)> NewSessionAsync(HttpClient admin,
        string clientId = TestTenants.WebClient, string? userId = null)
    {
        var (user, token, _) = await SucceededAsync(admin, userId);
        var session = await admin.PostJson("/v1/sessions", new { clientId, token }).Ok();
        return (user, session.Str("accessToken"), session.Str("refreshToken"));
    }

    public static Task<HttpResponseMessage> ValidateAsync(HttpClient admin, string accessToken, string[]? clientIds = null) =>
        admin.PostJson("/v1/sessions/validate", new { accessToken, clientIds });

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient admin, string refreshToken) =>
        admin.PostJson("/v1/sessions/refresh", new { refreshToken });

    public static JsonElement Header(string jwt) => Part(jwt, 0);

    public static JsonElement Payload(string jwt) => Part(jwt, 1);

    private static JsonElement Part(string jwt, int index) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.Split('.')[index])).RootElement.Clone();

    /// <summary>A JWT with the given header and payload and <paramref name="signature"/> over them (none: empty).</summary>
    public static string Compose(object header, object payload, Func<byte[], byte[]>? signature = null)
    {
        var input = $"{Encode(header)}.{Encode(payload)}";
        return $"{input}.{(signature is null ? "" : Base64UrlEncoder.Encode(signature(Encoding.ASCII.GetBytes(input))))}";
    }

    /// <summary>The payload of <paramref name="jwt"/> as a dictionary, to alter and sign again.</summary>
    public static Dictionary<string, object?> Claims(string jwt) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(Base64UrlEncoder.DecodeBytes(jwt.Split('.')[1]))!;

    private static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    public static async Task<JsonElement> JwksAsync(HttpClient client, string tenantId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/tenants/{tenantId}/.well-known/jwks.json"));
}
