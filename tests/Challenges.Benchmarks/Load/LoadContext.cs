using System.Net.Http.Headers;
using System.Text;

namespace Challenges.Benchmarks.Load;

/// <summary>What every scenario needs: the client, the tenant's credentials and the webhook receiver.</summary>
internal sealed class LoadContext(ApiClient api, string tenantId, string secretKey, WebhookReceiver? webhooks)
{
    public ApiClient Api { get; } = api;
    public string TenantId { get; } = tenantId;
    public WebhookReceiver? Webhooks { get; } = webhooks;

    /// <summary>A short id per run, so users of two runs against one Redis never meet.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Server API: Basic base64("secretKey:").</summary>
    public AuthenticationHeaderValue Server { get; } = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));

    /// <summary>Device API: tenant Basic as Android sends it, padded base64 of "tenantId:".</summary>
    public AuthenticationHeaderValue Device { get; } = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(tenantId + ":")));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}

/// <summary>One virtual user: its own user id, and what its scenario enrolled for it once.</summary>
internal sealed class VirtualUser(string userId) : IDisposable
{
    public string UserId { get; } = userId;
    public DeviceKey? Key { get; set; }
    public string? PhoneNumber { get; set; }

    public void Dispose() => Key?.Dispose();
}
