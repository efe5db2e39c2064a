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

    public Task<DeliveryOutcome> EmailAsync(Tenant tenant, OtpMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EmailCreatedAsync(tenant, message.To, new("code", message.Code), VerificationMethods.EmailOtp, message.UserId,
            message.IdempotencyKey, message.ActionCode, message.Locale, cancellationToken);
    }

    /// <summary><c>email.created</c> for a magic link: <c>url</c> where an OTP has <c>code</c>.</summary>
    public Task<DeliveryOutcome> MagicLinkAsync(Tenant tenant, MagicLinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EmailCreatedAsync(tenant, message.To, new("url", message.Url.ToString()), VerificationMethods.EmailMagicLink, message.UserId,
            message.IdempotencyKey, message.ActionCode, message.Locale, cancellationToken);
    }

    private async Task<DeliveryOutcome> EmailCreatedAsync(Tenant tenant, string to, KeyValuePair<string, string?> secret, string method,
        string? userId, string idempotencyKey, string actionCode, string? locale, CancellationToken cancellationToken)
    {
        var result = await webhooks.SendAsync(tenant, EmailCreated,
        [
            new("to", to),
            secret,
            new("verificationMethod", method),
            new("userId", userId),
            new("idempotencyKey", idempotencyKey),
            new("actionCode", actionCode),
            new("locale", locale),
        ], cancellationToken: cancellationToken);
        return Outcome(result);
    }

    private static DeliveryOutcome Outcome(WebhookResult result) => result.Delivered
        ? DeliveryOutcome.Ok
        : DeliveryOutcome.Failed(result.Status is { } status
            ? $"The tenant's webhook answered {status}."
            : "The tenant's webhook did not answer (no WebhookUrl, unreachable or timed out).");
}
