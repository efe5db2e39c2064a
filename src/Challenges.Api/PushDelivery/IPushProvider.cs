using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// One push service (APNs, FCM). A send is one request, never retried here: <see cref="IPushDelivery"/> retries
/// <see cref="PushSendStatus.Transient"/> answers and bounds the requests in flight. Only cancellation throws.
/// </summary>
public interface IPushProvider
{
    /// <summary><c>apns</c> or <c>fcm</c>: the name in metrics and logs.</summary>
    string Name { get; }

    /// <summary>The service's settings (concurrency, timeout, address).</summary>
    PushServiceOptions Service { get; }

    /// <summary>Whether the tenant has credentials for this service.</summary>
    bool Serves(Tenant tenant);

    Task<PushSendResult> SendAsync(Tenant tenant, PushMessage message, string deviceToken, CancellationToken cancellationToken);
}
