using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>Email OTP and magic links through the tenant's provider: Webhook (<c>email.created</c>), Smtp or Log.</summary>
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

    public Task<DeliveryOutcome> SendLinkAsync(Tenant tenant, MagicLinkMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(message);
        return tenant.Options.Delivery.Email switch
        {
            DeliveryProviders.Smtp => smtp.SendAsync(message.To, smtp.LinkSubject, message.Text, cancellationToken),
            DeliveryProviders.Log => log.SendLinkAsync(message),
            _ => webhooks.MagicLinkAsync(tenant, message, cancellationToken),
        };
    }
}
