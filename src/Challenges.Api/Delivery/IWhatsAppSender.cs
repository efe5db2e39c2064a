using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>Sends an OTP by WhatsApp with the tenant's provider (<c>Delivery__WhatsApp</c>).</summary>
public interface IWhatsAppSender
{
    Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default);
}
