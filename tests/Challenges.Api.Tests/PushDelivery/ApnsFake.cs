using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// The APNs provider API as Apple runs it, over HTTP/2 without TLS (prior knowledge): it checks the provider token's
/// ES256 signature with the key's public half, its <c>kid</c>, <c>iss</c> and age (older than an hour:
/// <c>ExpiredProviderToken</c>), the <c>apns-*</c> headers, the path's device token and the payload, answering as
/// Apple does. It owns the key pair the tenant is configured with.
/// </summary>
public sealed class ApnsFake(TimeProvider clock) : PushServiceFake(HttpProtocols.Http2)
{
    public const string TeamId = "TEAM123456";
    public const string KeyId = "KEY1234567";
    public const string Topic = "com.example.challenges";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The <c>.p8</c> key as Apple hands it out (PKCS#8 PEM).</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>A device token as iOS hands it to an app: 32 random bytes in hex.</summary>
    public static string NewDeviceToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>An APNs refusal: the status and its <c>reason</c>.</summary>
    public static FakeAnswer Refusal(int status, string reason) => new(status, JsonSerializer.Serialize(new { reason }));

    protected override FakeAnswer Success(FakeNotification notification) =>
        new(200, "", new Dictionary<string, string> { ["apns-id"] = Guid.NewGuid().ToString().ToUpperInvariant() });

    protected override async Task<FakeNotification?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Protocol != "HTTP/2")
        {
            return await RefuseAsync(context, $"protocol {request.Protocol}", Refusal(400, "BadRequest"));
        }
        const string prefix = "/3/device/";
        var path = request.Path.Value ?? "";
        if (request.Method != "POST" || !path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return await RefuseAsync(context, $"{request.Method} {path}", Refusal(405, "MethodNotAllowed"));
        }
        var deviceToken = path[prefix.Length..];
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("bearer ", StringComparison.Ordinal))
        {
            return await RefuseAsync(context, "no bearer provider token", Refusal(403, "MissingProviderToken"));
        }
        var providerToken = authorization["bearer ".Length..];
        if (!IsValidProviderToken(providerToken, out var issuedAt))
        {
            return await RefuseAsync(context, "provider token not valid", Refusal(403, "InvalidProviderToken"));
        }
        if (clock.GetUtcNow() - issuedAt > TimeSpan.FromHours(1))
        {
            // Not a broken rule of the client: the answer a client that keeps its token too long gets.
            await WriteAsync(context, Refusal(403, "ExpiredProviderToken"));
            return null;
        }
        var headers = request.Headers.Where(h => h.Key.StartsWith("apns-", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var headerProblem = headers.GetValueOrDefault("apns-topic") != Topic ? "apns-topic"
            : headers.GetValueOrDefault("apns-push-type") != "alert" ? "apns-push-type"
            : headers.GetValueOrDefault("apns-priority") != "10" ? "apns-priority"
            : !long.TryParse(headers.GetValueOrDefault("apns-expiration"), out _) ? "apns-expiration"
            : headers.GetValueOrDefault("apns-collapse-id") is not { Length: > 0 and <= 64 } ? "apns-collapse-id"
            : null;
        if (headerProblem is not null)
        {
            return await RefuseAsync(context, $"header {headerProblem}: '{headers.GetValueOrDefault(headerProblem)}'", Refusal(400, "BadTopic"));
        }
        if (request.ContentLength > 4096 || await ReadJsonAsync(context) is not { } payload || !IsAlertPayload(payload))
        {
            return await RefuseAsync(context, "payload", Refusal(400, "PayloadEmpty"));
        }
        if (!deviceToken.All(char.IsAsciiHexDigit))
        {
            return await RefuseAsync(context, "device token not hex", Refusal(400, "BadDeviceToken"));
        }
        return new FakeNotification(deviceToken, providerToken, headers, payload, request.Protocol);
    }

    private bool IsValidProviderToken(string token, out DateTimeOffset issuedAt)
    {
        issuedAt = default;
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var signed = _key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            issuedAt = DateTimeOffset.FromUnixTimeSeconds(claims.RootElement.GetProperty("iat").GetInt64());
            return signed
                   && header.RootElement.GetProperty("alg").GetString() == "ES256"
                   && header.RootElement.GetProperty("kid").GetString() == KeyId
                   && claims.RootElement.GetProperty("iss").GetString() == TeamId;
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsAlertPayload(JsonElement payload) =>
        payload.TryGetProperty("aps", out var aps) && aps.TryGetProperty("alert", out var alert)
        && alert.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String
        && alert.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String;
}
