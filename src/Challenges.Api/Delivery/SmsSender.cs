using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>SMS through the tenant's provider: Webhook, Twilio or Log.</summary>
public sealed class SmsSender(OtpWebhooks webhooks, TwilioMessages twilio, LogDelivery log) : ISmsSender
{
    public Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Options.Delivery.Sms switch
        {
            DeliveryProviders.Twilio => twilio.SmsAsync(message, cancellationToken),
            DeliveryProviders.Log => log.SendAsync("SMS", message),
            _ => webhooks.SmsAsync(tenant, message, whatsApp: false, cancellationToken),
        };
    }
}
