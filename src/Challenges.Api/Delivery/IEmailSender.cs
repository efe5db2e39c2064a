using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>Sends an OTP or a magic link by email with the tenant's provider (<c>Delivery__Email</c>).</summary>
public interface IEmailSender
{
    Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default);

    Task<DeliveryOutcome> SendLinkAsync(Tenant tenant, MagicLinkMessage message, CancellationToken cancellationToken = default);
}
