using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Otp;

/// <summary>What the OTP tests share: fresh destinations, reading codes from the webhooks a real listener received.</summary>
internal static class OtpKit
{
    public static string NewPhone() => "+642" + Random.Shared.NextInt64(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);

    public static string NewEmail() => $"u{Guid.NewGuid():N}"[..14] + "@example.com";

    public static JsonElement Envelope(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    public static JsonElement Data(ReceivedRequest request) => Envelope(request).GetProperty("data");

    public static bool IsDelivery(ReceivedRequest request, string type, string to)
    {
        try
        {
            var envelope = Envelope(request);
            return envelope.GetProperty("type").GetString() == type && envelope.GetProperty("data").GetProperty("to").GetString() == to;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    public static int CountDeliveries(WebhookListener listener, string type, string to) => listener.Received.Count(r => IsDelivery(r, type, to));

    /// <summary>
    /// The latest <paramref name="type"/> webhook sent to <paramref name="to"/>; delivery is synchronous, so it has arrived
    /// by the time the call that sent it has answered. Its signature is checked before it is trusted.
    /// </summary>
    public static ReceivedRequest LastDelivery(WebhookListener listener, string type, string to, TimeProvider clock)
    {
        var request = listener.Received.LastOrDefault(r => IsDelivery(r, type, to))
            ?? throw new Xunit.Sdk.XunitException($"No {type} webhook was received for {to}.");
        AssertSigned(request, [TestTenants.AKey, TestTenants.AKeyRotated], clock.GetUtcNow());
        return request;
    }

    public static string CodeSentTo(WebhookListener listener, string type, string to, TimeProvider clock) =>
        Data(LastDelivery(listener, type, to, clock)).GetProperty("code").GetString()!;

    /// <summary>
    /// The test's own check of <c>X-Signature-V2</c> (docs/contract.md §5.2): one v2 per active secret, each the unpadded standard
    /// base64 of HMAC-SHA256(secret, "t." + body), and a timestamp no older than five minutes.
    /// </summary>
    public static void AssertSigned(ReceivedRequest request, string[] secrets, DateTimeOffset now)
    {
        var header = request.Header("X-Signature-V2") ?? throw new Xunit.Sdk.XunitException("No X-Signature-V2 header.");
        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToList();
        Assert.All(parts, p => Assert.Equal(2, p.Length));
        var t = Assert.Single(parts, p => p[0] == "t")[1];
        var signatures = parts.Where(p => p[0] == "v2").Select(p => p[1]).ToList();
        Assert.Equal(secrets.Length, signatures.Count);
        var seconds = long.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.InRange(now.ToUnixTimeSeconds() - seconds, 0, 300);
        var signed = Encoding.ASCII.GetBytes(t + ".").Concat(request.Body).ToArray();
        foreach (var secret in secrets)
        {
            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            var expected = Convert.ToBase64String(hmac.ComputeHash(signed)).TrimEnd('=');
            Assert.Contains(expected, signatures);
        }
    }

    /// <summary>
    /// Starts a passwordless SMS challenge to <paramref name="phone"/> with the Server API of a real server process
    /// (real clock) and returns its id and the code its webhook delivered.
    /// </summary>
    public static async Task<(string ChallengeId, string Code)> PasswordlessSmsAsync(HttpClient server, WebhookListener webhooks, string phone,
        string? idempotencyKey = null)
    {
        var started = await server.PostJson("/v1/challenge", new { verificationMethod = "SMS", action = "signIn", phoneNumber = phone, idempotencyKey }).Ok();
        return (started.Str("challengeId"), CodeSentTo(webhooks, "sms.created", phone, TimeProvider.System));
    }

    /// <summary>Tracks an action for <paramref name="userId"/> and returns the client token.</summary>
    public static async Task<string> TrackAsync(HttpClient server, string userId, string action = "signIn", object? body = null)
    {
        var tracked = await server.PostJson($"/v1/users/{userId}/actions/{action}", body ?? new { }).Ok();
        return tracked.Str("token");
    }

    /// <summary>A user with a verified SMS authenticator (enrolled by the backend).</summary>
    public static async Task<string> EnrolVerifiedAsync(HttpClient server, string userId, string method, string destination)
    {
        var body = method == "EMAIL_OTP" ? (object)new { verificationMethod = method, email = destination } : new { verificationMethod = method, phoneNumber = destination };
        var enrolled = await server.PostJson($"/v1/users/{userId}/authenticators", body).Ok();
        return enrolled.GetProperty("authenticator").Str("userAuthenticatorId");
    }

    public static string WrongCode(string code) => code == "000000" ? "111111" : "000000";
}

internal static class FactoryClients
{
    /// <summary>A Server API client of <paramref name="factory"/> with tenant A's secret key.</summary>
    public static HttpClient CreateClientWithKey(this ChallengesFactory factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        return client;
    }
}
