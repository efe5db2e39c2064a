using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Challenges.Api.Tenants;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using ExponentialBackOffPolicy = Google.Apis.Http.ExponentialBackOffPolicy;
using HttpClientFromMessageHandlerFactory = Google.Apis.Http.HttpClientFromMessageHandlerFactory;
using Microsoft.Extensions.Options;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// Firebase Cloud Messaging, by its HTTP v1 API: one POST to <c>/v1/projects/{project}/messages:send</c> per
/// notification, authorised by an OAuth2 access token of the tenant's service account (Google.Apis.Auth signs the
/// account's assertion, fetches the token from the account's <c>token_uri</c> and keeps it until shortly before it
/// expires). Android gets it at high priority with a time-to-live up to the challenge's expiry; iOS apps that register
/// through Firebase get the same APNs expiry and collapse id as <see cref="ApnsProvider"/> sends.
/// </summary>
public sealed partial class FcmProvider(IHttpClientFactory clients, IHttpMessageHandlerFactory handlers, IOptions<PushProvidersOptions> options,
    TimeProvider time, ILogger<FcmProvider> logger) : PushProvider<FcmProvider.Account>("fcm")
{
    public const string HttpClientName = "fcm";

    /// <summary>The client of the OAuth2 token endpoint.</summary>
    public const string TokenHttpClientName = "fcm-oauth";

    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    public static readonly Uri DefaultUrl = new("https://fcm.googleapis.com");

    public override PushServiceOptions Service => options.Value.Fcm;

    public override async Task<PushSendResult> SendAsync(Tenant tenant, PushMessage message, string deviceToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(message);
        var ttl = (long)Math.Floor((message.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        if (ttl < 1)
        {
            return PushSendResult.Failed(PushErrorCodes.ProviderError, "ChallengeExpired");
        }
        var account = AccountOf(tenant);
        string accessToken;
        try
        {
            accessToken = await account.Credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (TokenResponseException e)
        {
            // An OAuth error ("invalid_grant": the key was deleted or the clock is off) is for the operator to mend.
            var status = (int?)e.StatusCode ?? 0;
            var reason = "OAuth " + PushHttp.Reason(e.Error?.Error, status);
            LogTokenRefused(logger, tenant.Id, status, reason);
            return status is 429 or >= 500 ? PushSendResult.Transient(reason) : PushSendResult.Failed(PushErrorCodes.ProviderError, reason);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, tenant.Id, "OAuth " + e.GetType().Name);
            return PushSendResult.Transient("OAuth " + e.GetType().Name);
        }

        var url = new Uri(Service.BaseUrl ?? DefaultUrl, $"/v1/projects/{Uri.EscapeDataString(account.ProjectId)}/messages:send");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            // HTTP/2 where the service offers it (ALPN), else HTTP/1.1.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = PushHttp.JsonBody(Payload(message, deviceToken, ttl)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return PushSendResult.Delivered;
            }
            var status = (int)response.StatusCode;
            var answer = Classify(status, await response.Content.ReadAsByteArrayAsync(cancellationToken), PushHttp.RetryAfter(response, time));
            if (status == (int)HttpStatusCode.Unauthorized && account.Credential.Token?.AccessToken == accessToken)
            {
                // Revoked or expired early: the next try fetches a new access token.
                account.Credential.Token = null;
            }
            LogRefused(logger, tenant.Id, status, answer.Reason ?? "");
            return answer;
        }
        catch (Exception e) when (NoAnswer(e, cancellationToken))
        {
            LogUnreachable(logger, tenant.Id, e.GetType().Name);
            return PushSendResult.Transient(e.GetType().Name);
        }
    }

    /// <summary>
    /// What an FCM refusal means, from the status and the error body's <c>FcmError.errorCode</c> (else its gRPC
    /// <c>status</c>) and whether a <c>BadRequest</c> field violation names <c>message.token</c>.
    /// </summary>
    public static PushSendResult Classify(int status, ReadOnlySpan<byte> body, TimeSpan? retryAfter = null)
    {
        var (code, tokenField) = ErrorOf(body);
        var reason = PushHttp.Reason(code, status);
        return (status, code) switch
        {
            (_, "UNREGISTERED") => PushSendResult.TokenDead(reason),
            (400, "INVALID_ARGUMENT") when tokenField => PushSendResult.TokenDead(reason),
            // A token of another Firebase project: the token may be fine, the tenant's project is not the one.
            (_, "SENDER_ID_MISMATCH") => PushSendResult.Failed(PushErrorCodes.TokenInvalid, reason),
            // The access token was refused: it is replaced before the next try. (A 401 THIRD_PARTY_AUTH_ERROR is about
            // the APNs credentials in the Firebase project: the operator's to mend.)
            (401, "UNAUTHENTICATED") => PushSendResult.Transient(reason, retryAfter),
            // Quota, outages and internal errors pass.
            (429 or >= 500, _) => PushSendResult.Transient(reason, retryAfter),
            _ => PushSendResult.Failed(PushErrorCodes.ProviderError, reason),
        };
    }

    /// <summary>The message: the device's token, the notification, the data, and the Android and APNs delivery options.</summary>
    private static object Payload(PushMessage message, string deviceToken, long ttlSeconds) => new
    {
        message = new
        {
            token = deviceToken,
            notification = new { title = message.Title, body = message.Body },
            data = new { challengeId = message.ChallengeId, actionCode = message.ActionCode },
            android = new { priority = "high", ttl = ttlSeconds.ToString(CultureInfo.InvariantCulture) + "s" },
            apns = new
            {
                headers = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["apns-priority"] = "10",
                    ["apns-expiration"] = message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    ["apns-collapse-id"] = message.ChallengeId,
                },
            },
        },
    };

    private static (string? Code, bool TokenField) ErrorOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var answer = JsonDocument.ParseValue(ref reader);
            if (!answer.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, false);
            }
            string? fcmCode = null;
            var tokenField = false;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.Object))
                {
                    var type = Text(detail, "@type") ?? "";
                    if (type.EndsWith("google.firebase.fcm.v1.FcmError", StringComparison.Ordinal))
                    {
                        fcmCode = Text(detail, "errorCode");
                    }
                    else if (type.EndsWith("google.rpc.BadRequest", StringComparison.Ordinal)
                             && detail.TryGetProperty("fieldViolations", out var violations) && violations.ValueKind == JsonValueKind.Array)
                    {
                        tokenField |= violations.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Object && Text(v, "field") == "message.token");
                    }
                }
            }
            return (fcmCode ?? Text(error, "status"), tokenField);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    protected override bool Configured(PushOptions push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.Fcm.ServiceAccount.Length > 0;
    }

    protected override Account Open(PushOptions push)
    {
        ArgumentNullException.ThrowIfNull(push);
        var parsed = FcmServiceAccount.Parse(push.Fcm.ServiceAccount, out var problem)
            ?? throw new InvalidOperationException($"The FCM service account {problem}.");
        var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(parsed.ClientEmail, FcmServiceAccount.TokenUri(parsed))
        {
            ProjectId = parsed.ProjectId,
            KeyId = parsed.PrivateKeyId,
            Scopes = [Scope],
            Clock = new GoogleClock(time),
            // Token requests go through this server's own handler (no redirects, one pool); retries are the caller's.
            HttpClientFactory = new HttpClientFromMessageHandlerFactory(_ => new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(
                handlers.CreateHandler(TokenHttpClientName), performsAutomaticDecompression: false, handlesRedirect: false)),
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        }.FromPrivateKey(parsed.PrivateKey));
        // The library would otherwise follow a redirect of the token endpoint itself.
        credential.HttpClient.MessageHandler.FollowRedirect = false;
        credential.HttpClient.Timeout = Service.Timeout;
        return new Account(credential, parsed.ProjectId);
    }

    /// <summary>A tenant's service account and the Firebase project it sends for.</summary>
    public sealed record Account(ServiceAccountCredential Credential, string ProjectId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FCM refused a notification of tenant {TenantId}: {Status} {Reason}")]
    private static partial void LogRefused(ILogger logger, string tenantId, int status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The FCM token endpoint refused the service account of tenant {TenantId}: {Status} {Reason}")]
    private static partial void LogTokenRefused(ILogger logger, string tenantId, int status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FCM did not answer a notification of tenant {TenantId}: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string tenantId, string failure);
}
