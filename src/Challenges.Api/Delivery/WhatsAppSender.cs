using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>WhatsApp through the tenant's provider: Webhook (<c>sms.created</c> with smsChannel WHATSAPP), Twilio or Log.</summary>
public sealed class WhatsAppSender(OtpWebhooks webhooks, TwilioMessages twilio, LogDelivery log) : IWhatsAppSender
{
    public Task<DeliveryOutcome> SendAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Options.Delivery.WhatsApp switch
        {
            DeliveryProviders.Twilio => twilio.WhatsAppAsync(message, cancellationToken),
            DeliveryProviders.Log => log.SendAsync("WhatsApp", message),
            _ => webhooks.SmsAsync(tenant, message, whatsApp: true, cancellationToken),
        };
    }
}
