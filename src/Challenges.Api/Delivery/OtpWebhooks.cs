using Challenges.Api.Tenants;

namespace Challenges.Api.Delivery;

/// <summary>
/// The <c>Webhook</c> provider: <c>sms.created</c> / <c>email.created</c> (docs/contract.md §5.3) to the tenant's
/// <c>WebhookUrl</c> (an email magic link's <c>email.created</c> carries <c>url</c>), synchronously: the tenant's backend sends the message, so its refusal is a failed send.
/// </summary>
public sealed class OtpWebhooks(WebhookClient webhooks)
{
    public const string SmsCreated = "sms.created";
    public const string EmailCreated = "email.created";

    public async Task<DeliveryOutcome> SmsAsync(Tenant tenant, OtpMessage message, bool whatsApp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await webhooks.SendAsync(tenant, SmsCreated,
        [
            new("to", message.To),
            new("code", message.Code),
            new("userId", message.UserId),
            new("idempotencyKey", message.IdempotencyKey),
            new("actionCode", message.ActionCode),
            new("locale", message.Locale),
            new("smsChannel", whatsApp ? "WHATSAPP" : null),
        ], cancellationToken: cancellationToken);
        return Outcome(result);
    }

    public async Task<DeliveryOutcome> EmailAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await webhooks.SendAsync(tenant, EmailCreated,
        [
            new("to", message.To),
            new("code", message.Code),
            new("verificationMethod", VerificationMethods.EmailOtp),
            new("userId", message.UserId),
            new("idempotencyKey", message.IdempotencyKey),
            new("actionCode", message.ActionCode),
            new("locale", message.Locale),
        ], cancellationToken: cancellationToken);
        return Outcome(result);
    }

    /// <summary><c>email.created</c> for a magic link: <c>url</c> where an OTP has <c>code</c>.</summary>
    public async Task<DeliveryOutcome> MagicLinkAsync(Tenant tenant, MagicLinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = await webhooks.SendAsync(tenant, EmailCreated,
        [
            new("to", message.To),
            new("url", message.Url.ToString()),
            new("verificationMethod", VerificationMethods.EmailMagicLink),
            new("userId", message.UserId),
            new("idempotencyKey", message.IdempotencyKey),
            new("actionCode", message.ActionCode),
            new("locale", message.Locale),
        ], cancellationToken: cancellationToken);
        return Outcome(result);
    }

    private static DeliveryOutcome Outcome(WebhookResult result) => result.Delivered
        ? DeliveryOutcome.Ok
        : DeliveryOutcome.Failed(result.Status is { } status
            ? $"The tenant's webhook answered {status}."
            : "The tenant's webhook did not answer (no WebhookUrl, unreachable or timed out).");
}
