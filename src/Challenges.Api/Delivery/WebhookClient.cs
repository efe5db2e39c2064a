using System.Net.Http.Headers;
using Challenges.Api.Http;
using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>The answer of one webhook attempt: delivered on 2xx; otherwise the status (null when nothing answered).</summary>
public sealed record WebhookResult(bool Delivered, int? Status);

/// <summary>
/// Sends one signed webhook to a tenant's <c>WebhookUrl</c>: the envelope, <c>X-Signature-V2</c> with every active
/// secret key, a bounded timeout. It makes one attempt; callers decide about retries.
/// </summary>
public sealed partial class WebhookClient(IHttpClientFactory clients, TimeProvider time, PublicUrl publicUrl, ILogger<WebhookClient> logger)
{
    public const string HttpClientName = "webhooks";

    /// <summary>Sends <paramref name="type"/> with <paramref name="data"/>; <paramref name="id"/> is stable across retries.</summary>
    public async Task<WebhookResult> SendAsync(Tenant tenant, string type, IEnumerable<KeyValuePair<string, string?>> data,
        string? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (tenant.Options.WebhookUrl is not { } url)
        {
            LogNoWebhookUrl(logger, tenant.Id, type);
            return new WebhookResult(false, null);
        }
        var now = time.GetUtcNow();
        var body = WebhookEnvelope.Write(id ?? Ids.New(), publicUrl.Configured, now, tenant.Id, type, data);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSigner.HeaderName, WebhookSigner.Sign(body, now.ToUnixTimeSeconds(), tenant.SecretKeys));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var delivered = response.IsSuccessStatusCode;
            if (!delivered)
            {
                LogRefused(logger, type, tenant.Id, (int)response.StatusCode);
            }
            return new WebhookResult(delivered, (int)response.StatusCode);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, type, tenant.Id, e.GetType().Name);
            return new WebhookResult(false, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId} has no WebhookUrl; {Type} not sent")]
    private static partial void LogNoWebhookUrl(ILogger logger, string tenantId, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Type} for tenant {TenantId} answered {Status}")]
    private static partial void LogRefused(ILogger logger, string type, string tenantId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Type} for tenant {TenantId} failed: {Failure}")]
    private static partial void LogUnreachable(ILogger logger, string type, string tenantId, string failure);
}
