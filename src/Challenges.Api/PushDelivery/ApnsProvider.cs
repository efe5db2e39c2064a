using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// The Apple Push Notification service, by its HTTP/2 provider API with token authentication: one POST to
/// <c>/3/device/{token}</c> per notification, an <c>alert</c> at priority 10 that APNs drops at the challenge's expiry
/// and that replaces an earlier notification of the same challenge (<c>apns-collapse-id</c>).
/// </summary>
public sealed partial class ApnsProvider(IHttpClientFactory clients, IOptions<PushProvidersOptions> options, TimeProvider time, ILogger<ApnsProvider> logger)
    : PushProvider<ApnsProvider.Account>("apns")
{
    public const string HttpClientName = "apns";
    public static readonly Uri ProductionUrl = new("https://api.push.apple.com");
    public static readonly Uri SandboxUrl = new("https://api.sandbox.push.apple.com");

    public override PushServiceOptions Service => options.Value.Apns;

    /// <summary>An APNs device token: hexadecimal digits (32 bytes today; Apple says the length may change).</summary>
    public static bool IsDeviceToken(string token) =>
        token is { Length: >= 32 and <= 512 } && token.Length % 2 == 0 && token.All(char.IsAsciiHexDigit);

    public override async Task<PushSendResult> SendAsync(Tenant tenant, PushMessage message, string deviceToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(message);
        // The token goes into the request's path: anything but hex digits could point the request elsewhere.
        if (!IsDeviceToken(deviceToken))
        {
            return PushSendResult.Failed(PushErrorCodes.TokenInvalid, "NotAnApnsToken");
        }
        var account = AccountOf(tenant);
        var providerToken = account.Token.Current();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.BaseUrl, "/3/device/" + deviceToken))
        {
            // HTTP/2 only: over https by ALPN, over a test double's http:// with prior knowledge.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = PushHttp.JsonBody(Payload(message)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", providerToken);
        request.Headers.Add("apns-topic", account.Topic);
        request.Headers.Add("apns-push-type", "alert");
        request.Headers.Add("apns-priority", "10");
        request.Headers.Add("apns-expiration", message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("apns-collapse-id", message.ChallengeId);
        try
        {
            // The device token is in the URL, which traces record: this request stays out of them.
            using var untraced = SuppressInstrumentationScope.Begin();
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return PushSendResult.Delivered;
            }
            var status = (int)response.StatusCode;
            var reason = PushHttp.Reason(await ReasonAsync(response, cancellationToken), status);
            if (reason == "ExpiredProviderToken")
            {
                account.Token.Rejected(providerToken);
            }
            LogRefused(logger, tenant.Id, status, reason);
            return Classify(status, reason, PushHttp.RetryAfter(response, time));
        }
        catch (Exception e) when (NoAnswer(e, cancellationToken))
        {
            LogUnreachable(logger, tenant.Id, e.GetType().Name);
            return PushSendResult.Transient(e.GetType().Name);
        }
    }

    /// <summary>What an APNs refusal means (its <c>reason</c> beside the status).</summary>
    public static PushSendResult Classify(int status, string reason, TimeSpan? retryAfter = null) => (status, reason) switch
    {
        // Unregistered (the app is gone) or ExpiredToken; a token of the other environment is a BadDeviceToken.
        (410, _) or (400, "BadDeviceToken") => PushSendResult.TokenDead(reason),
        // A token of another app: the token is fine, the tenant's topic may not be, so it is kept.
        (400, "DeviceTokenNotForTopic") => PushSendResult.Failed(PushErrorCodes.TokenInvalid, reason),
        // The provider token is replaced before the next try; throttling and outages pass.
        (403, "ExpiredProviderToken") or (429, _) or (>= 500, _) => PushSendResult.Transient(reason, retryAfter),
        _ => PushSendResult.Failed(PushErrorCodes.ProviderError, reason),
    };

    /// <summary><c>{"aps":{"alert":{"title","body"},"sound":"default"},"challengeId","actionCode"}</c>.</summary>
    private static object Payload(PushMessage message) => new
    {
        aps = new { alert = new { title = message.Title, body = message.Body }, sound = "default" },
        challengeId = message.ChallengeId,
        actionCode = message.ActionCode,
    };

    private static async Task<string?> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var answer = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            return answer.RootElement.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or HttpRequestException)
        {
            return null;
        }
    }

    protected override bool Configured(PushOptions push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.Apns.KeyId.Length > 0;
    }

    protected override Account Open(PushOptions push)
    {
        ArgumentNullException.ThrowIfNull(push);
        var apns = push.Apns;
        var key = ApnsSigningKey.Load(apns.PrivateKey, out var problem)
            ?? throw new InvalidOperationException($"The APNs key {problem}.");
        return new Account(new ApnsProviderToken(key, apns.KeyId, apns.TeamId, time), apns.Topic, Service.BaseUrl ?? HostFor(apns.Environment));
    }

    /// <summary>Apple's host for an environment: <c>sandbox</c> for development builds' tokens, else production.</summary>
    public static Uri HostFor(string environment) =>
        string.Equals(environment, "sandbox", StringComparison.OrdinalIgnoreCase) ? SandboxUrl : ProductionUrl;

    /// <summary>A tenant's APNs key, with its provider token, and where its notifications go.</summary>
    public sealed record Account(ApnsProviderToken Token, string Topic, Uri BaseUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "APNs refused a notification of tenant {TenantId}: {Status} {Reason}")]
    private static partial void LogRefused(ILogger logger, string tenantId, int status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "APNs did not answer a notification of tenant {TenantId}: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string tenantId, string failure);
}
