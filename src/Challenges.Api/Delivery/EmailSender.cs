using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>Email OTP through the tenant's provider: Webhook (<c>email.created</c>), Smtp or Log.</summary>
public sealed class EmailSender(OtpWebhooks webhooks, SmtpMailer smtp, LogDelivery log) : IEmailSender
{
    public Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Options.Delivery.Email switch
        {
            DeliveryProviders.Smtp => smtp.SendAsync(message, cancellationToken),
            DeliveryProviders.Log => log.SendAsync("Email", message),
            _ => webhooks.EmailAsync(tenant, message, cancellationToken),
        };
    }
}
