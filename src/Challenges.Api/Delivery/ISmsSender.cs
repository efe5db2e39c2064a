using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>Sends an OTP by SMS with the tenant's provider (<c>Delivery__Sms</c>).</summary>
public interface ISmsSender
{
    Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default);
}
