using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// FCM HTTP v1 with its OAuth2 token endpoint, as Google runs them. The token endpoint takes a service-account
/// assertion (<c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>) only when its RS256 signature verifies
/// with the account's public key and it names the account (<c>iss</c>, <c>kid</c>), Google's token audience, the
/// messaging scope and an hour's lifetime at the current time; it hands out hour-long access tokens.
/// <c>messages:send</c> wants one of those tokens and a well-formed message for the account's project. The fake owns
/// the service account's key pair and hands out its JSON key.
/// </summary>
public sealed class FcmFake : PushServiceFake
{
    public const string ProjectId = "challenges-test";
    public const string ClientEmail = "push@challenges-test.iam.gserviceaccount.com";
    public const string KeyId = "0123456789abcdef0123456789abcdef01234567";
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    /// <summary>
    /// The assertion's <c>aud</c>, which Google documents as always this URL: the <c>token_uri</c> of every key Google
    /// hands out. (Google.Apis.Auth writes it whatever <c>token_uri</c> says, so a test key pointing elsewhere changes
    /// only where the assertion goes.)
    /// </summary>
    public const string Audience = "https://oauth2.googleapis.com/token";

    private readonly RSA _key = RSA.Create(2048);
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeAnswer> _tokenScript = new();
    private int _tokenRequests;

    public FcmFake(TimeProvider clock) : base(HttpProtocols.Http1AndHttp2) => _clock = clock;

    public Uri TokenUri => new(BaseUrl, "/token");

    /// <summary>The service account's JSON key, as "Generate new private key" downloads it, pointing at this fake.</summary>
    public string ServiceAccountJson => ServiceAccountJsonOf(_key, TokenUri);

    /// <summary>A service account key of a new key pair, with Google's token endpoint.</summary>
    public static string NewServiceAccountJson()
    {
        using var key = RSA.Create(2048);
        return ServiceAccountJsonOf(key, new Uri(Audience));
    }

    private static string ServiceAccountJsonOf(RSA key, Uri tokenUri) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = KeyId,
        ["private_key"] = key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "123456789012345678901",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = tokenUri.ToString(),
        ["universe_domain"] = "googleapis.com",
    });

    /// <summary>Requests of the token endpoint so far, counted on arrival (before the answer, whatever it is).</summary>
    public int TokenRequests => _tokenRequests;

    /// <summary>The access tokens handed out (and not revoked), each added before its answer goes back.</summary>
    public IReadOnlyCollection<string> AccessTokens => [.. _accessTokens.Keys];

    /// <summary>A registration token as the Firebase SDK hands it to an app.</summary>
    public static string NewDeviceToken() =>
        Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)) + ":APA91b" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(100));

    /// <summary>An FCM error: the HTTP status, its gRPC status and, where FCM gives one, its <c>FcmError</c> code.</summary>
    public static FakeAnswer Error(int status, string grpcStatus, string? fcmCode = null, string? badField = null, int? retryAfterSeconds = null)
    {
        var details = new List<object>();
        if (fcmCode is not null)
        {
            details.Add(new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = fcmCode });
        }
        if (badField is not null)
        {
            details.Add(new Dictionary<string, object>
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new[] { new { field = badField, description = "Invalid registration token" } },
            });
        }
        var body = JsonSerializer.Serialize(new { error = new { code = status, message = grpcStatus, status = grpcStatus, details } });
        return new FakeAnswer(status, body, retryAfterSeconds is { } s ? new Dictionary<string, string> { ["Retry-After"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null);
    }

    /// <summary>The next answers of the token endpoint; then it checks and hands out tokens again.</summary>
    public void ScriptTokenEndpoint(params FakeAnswer[] answers)
    {
        foreach (var answer in answers)
        {
            _tokenScript.Enqueue(answer);
        }
    }

    /// <summary>Every access token handed out so far stops working (revoked).</summary>
    public void RevokeAccessTokens() => _accessTokens.Clear();

    protected override FakeAnswer Success(FakeNotification notification) =>
        new(200, JsonSerializer.Serialize(new { name = $"projects/{ProjectId}/messages/0:{Guid.NewGuid():N}" }));

    protected override async Task<FakeNotification?> CheckAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Method == "POST" && request.Path == "/token")
        {
            await TokenAsync(context);
            return null;
        }
        if (request.Method != "POST" || request.Path != $"/v1/projects/{ProjectId}/messages:send")
        {
            return await RefuseAsync(context, $"{request.Method} {request.Path}", Error(404, "NOT_FOUND"));
        }
        var authorization = request.Headers.Authorization.ToString();
        var accessToken = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : "";
        if (!_accessTokens.TryGetValue(accessToken, out var expires) || _clock.GetUtcNow() >= expires)
        {
            // Not a broken rule of the client: what a revoked or expired token gets.
            await WriteAsync(context, Error(401, "UNAUTHENTICATED"));
            return null;
        }
        if (await ReadJsonAsync(context) is not { } body || !body.TryGetProperty("message", out var message)
            || Text(message, "token") is not { Length: > 0 } deviceToken
            || !message.TryGetProperty("notification", out var notification) || Text(notification, "title") is null || Text(notification, "body") is null
            || !message.TryGetProperty("data", out var data) || data.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String)
            || !message.TryGetProperty("android", out var android) || Text(android, "priority") is not ("high" or "normal")
            || Text(android, "ttl") is not { } ttl || !ttl.EndsWith('s') || !long.TryParse(ttl[..^1], out _))
        {
            return await RefuseAsync(context, "message", Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"));
        }
        return new FakeNotification(deviceToken, accessToken, new Dictionary<string, string>(), message, request.Protocol);
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        if (_tokenScript.TryDequeue(out var scripted))
        {
            await WriteAsync(context, scripted);
            return;
        }
        var form = await context.Request.ReadFormAsync();
        var problem = form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" ? "grant_type" : AssertionProblem(form["assertion"].ToString());
        if (problem is not null)
        {
            await RefuseAsync(context, "assertion: " + problem, new FakeAnswer(400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"""));
            return;
        }
        var token = "ya29.test-" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        _accessTokens[token] = _clock.GetUtcNow().AddHours(1);
        await WriteAsync(context, new FakeAnswer(200, JsonSerializer.Serialize(new { access_token = token, expires_in = 3599, token_type = "Bearer" })));
    }

    /// <summary>What is wrong with an assertion, or null when Google would take it.</summary>
    private string? AssertionProblem(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "not a JWT";
        }
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var c = claims.RootElement;
            var issuedAt = c.GetProperty("iat").GetInt64();
            var now = _clock.GetUtcNow().ToUnixTimeSeconds();
            var signed = _key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2]),
                HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return !signed ? "signature"
                : Text(header.RootElement, "alg") != "RS256" ? "alg"
                : Text(header.RootElement, "kid") != KeyId ? "kid"
                : Text(c, "iss") != ClientEmail ? "iss"
                : Text(c, "aud") != Audience ? $"aud {Text(c, "aud")}"
                : Text(c, "scope") != Scope ? $"scope {Text(c, "scope")}"
                : Math.Abs(issuedAt - now) > 60 ? $"iat {issuedAt} at {now}"
                : c.GetProperty("exp").GetInt64() - issuedAt != 3600 ? "exp"
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return e.GetType().Name;
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
