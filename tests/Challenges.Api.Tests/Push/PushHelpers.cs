using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>Steps of the push flow the tests share: track, enrol a real device key, start, poll.</summary>
public sealed class PushHelpers(ApiFixture fixture, string tenantId = TestTenants.A, string secretKey = TestTenants.AKey)
{
    public HttpClient Server { get; } = fixture.ServerClient(secretKey);

    /// <summary>Tracks an action and returns its client token.</summary>
    public async Task<string> TrackAsync(string userId, string action = "signIn", object? body = null) =>
        (await TrackResponseAsync(userId, action, body)).Str("token");

    public Task<JsonElement> TrackResponseAsync(string userId, string action = "signIn", object? body = null) =>
        Server.PostJson($"/v1/users/{userId}/actions/{action}", body ?? new { }).Ok();

    /// <summary>A new device with a fresh P-256 key, speaking through the in-memory test server.</summary>
    public DeviceClient NewDevice() => new(fixture.Factory.CreateClient(), tenantId, DeviceClient.NewKey());

    /// <summary>Enrols a new device for the user (with add:authenticators, so it works for enrolled users too).</summary>
    public async Task<(DeviceClient Device, string AuthenticatorId)> EnrollAsync(string userId, string name = "Test phone")
    {
        var token = await TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" });
        var device = NewDevice();
        var added = await device.AddCredentialAsync(token, name, "android", "push-token-" + name);
        return (device, added.Str("userAuthenticatorId"));
    }

    public Task<HttpResponseMessage> StartAsync(string token, object? body = null) =>
        fixture.BearerClient(token).PostJson("/v1/client/challenge/push", body ?? new { });

    public async Task<string> StartChallengeAsync(string token, object? body = null) => (await StartAsync(token, body).Ok()).Str("challengeId");

    public Task<HttpResponseMessage> PollAsync(string token, string challengeId) =>
        fixture.BearerClient(token).PostJson("/v1/client/verify/push", new { challengeId });

    /// <summary>The device's answer as raw HTTP, so failures can be asserted.</summary>
    public Task<HttpResponseMessage> AnswerRawAsync(DeviceClient device, string challengeId, bool approved, string? signature = null,
        string? verificationCode = null)
    {
        var client = fixture.DeviceClient(tenantId);
        return client.PostJson("/v1/client/user-authenticators/push/challenge",
            new { challengeId, publicKey = device.PublicKey, signature = signature ?? device.Sign(challengeId), approved, verificationCode });
    }

    public Task<JsonElement> ActionAsync(string userId, string action, string idempotencyKey) =>
        Server.GetAsync($"/v1/users/{userId}/actions/{action}/{idempotencyKey}").Ok();

    /// <summary>Checks an X-Signature-V2 header the way a tenant's receiver would, with our own HMAC.</summary>
    public static bool SignatureIsValid(string? header, byte[] body, string secretKey)
    {
        if (header is null)
        {
            return false;
        }
        var parts = header.Split(',');
        var t = parts.Single(p => p.StartsWith("t=", StringComparison.Ordinal))[2..];
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secretKey));
        var expected = Convert.ToBase64String(hmac.ComputeHash([.. Encoding.UTF8.GetBytes(t + "."), .. body])).TrimEnd('=');
        return parts.Where(p => p.StartsWith("v2=", StringComparison.Ordinal)).Any(p => p[3..] == expected);
    }
}
