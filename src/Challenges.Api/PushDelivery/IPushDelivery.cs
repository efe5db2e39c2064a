using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>Sends push challenges' notifications straight to the devices, through APNs or FCM.</summary>
public interface IPushDelivery
{
    /// <summary>
    /// Notifies one device, retrying transient failures with back-off while the challenge is open. Never throws for a
    /// failed send; the result says what happened. Cancelling <paramref name="cancellationToken"/> abandons the send.
    /// </summary>
    Task<PushDeliveryResult> SendAsync(Tenant tenant, PushMessage message, PushTarget device, CancellationToken cancellationToken);
}
