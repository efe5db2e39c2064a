using Challenges.Api.Delivery;
using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;

namespace Challenges.Api.Otp;

/// <summary>
/// Makes and delivers OTP codes, for the Server API's passwordless challenges and the client API's alike: the
/// challenge's fields from the tenant's limits, the code from a CSPRNG (stored only as its hash), the send limits, and
/// the synchronous delivery through the channel's sender.
/// </summary>
public sealed partial class OtpSender(
    OtpCodes codes,
    ISmsSender sms,
    IWhatsAppSender whatsApp,
    IEmailSender email,
    ChallengeMetrics metrics,
    TimeProvider time,
    ILogger<OtpSender> logger)
{
    /// <summary>How a code for <paramref name="method"/> travels; an SMS may go by WhatsApp when asked.</summary>
    public static OtpChannel ChannelOf(string method, string? smsChannel) => method switch
    {
        VerificationMethods.EmailOtp => OtpChannel.Email,
        VerificationMethods.WhatsApp => OtpChannel.WhatsApp,
        _ => smsChannel == SmsChannels.WhatsApp ? OtpChannel.WhatsApp : OtpChannel.Sms,
    };

    /// <summary>The sends of one user on a channel.</summary>
    public static (RateRule Rule, string Subject) UserLimit(OtpChannel channel, string userId) =>
        (channel == OtpChannel.Email ? RateRule.EmailSendsPerUser : RateRule.PhoneSendsPerUser, userId);

    /// <summary>
    /// The sends to one destination (anti-pumping), except a user's sends to a destination that user has verified
    /// (<paramref name="toOwnDestination"/>): nobody else can use up the sends of someone's verified phone or email.
    /// </summary>
    public static IEnumerable<(RateRule Rule, string Subject)> DestinationLimit(OtpChannel channel, string destination, bool toOwnDestination) =>
        toOwnDestination
            ? []
            : [(channel == OtpChannel.Email ? RateRule.EmailSendsPerDestination : RateRule.PhoneSendsPerDestination, destination.ToUpperInvariant())];

    /// <summary>A challenge for <paramref name="method"/> to be sent by <paramref name="channel"/>, living the tenant's OTP lifetime from now.</summary>
    public OtpChallengeRecord Draft(Tenant tenant, string id, string origin, string method, OtpChannel channel)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var now = time.GetUtcNow();
        return new OtpChallengeRecord
        {
            Id = id,
            Origin = origin,
            VerificationMethod = method,
            SmsChannel = channel switch
            {
                OtpChannel.WhatsApp => SmsChannels.WhatsApp,
                OtpChannel.Sms => SmsChannels.Default,
                _ => null,
            },
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.OtpLifetime,
            MaxAttempts = tenant.Limits.OtpMaxAttempts,
            ActionCode = "",
            IdempotencyKey = "",
        };
    }

    /// <summary>
    /// Makes the code and delivers it synchronously; the challenge returned carries only the code's hash. A refused
    /// delivery is a 502 and the challenge must not be stored: nothing that could be verified is left behind.
    /// </summary>
    public async Task<Outcome<OtpChallengeRecord>> DeliverAsync(Tenant tenant, OtpChallengeRecord draft, OtpChannel channel)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(draft);
        if (channel != OtpChannel.Email && !tenant.AllowsPhone(draft.Destination!))
        {
            // SMS pumping guard: refused before any provider is called, and before a code exists.
            return ApiError.Invalid("phoneNumber: this tenant does not send codes to numbers in that country.");
        }
        var code = OtpCodes.Generate(tenant.Limits.OtpLength);
        var message = new OtpMessage(draft.Destination!, code, draft.UserId, draft.ActionCode, draft.IdempotencyKey, draft.Locale,
            tenant.Limits.OtpLifetime);
        var (name, provider) = channel switch
        {
            OtpChannel.Email => ("email", tenant.Options.Delivery.Email),
            OtpChannel.WhatsApp => ("whatsapp", tenant.Options.Delivery.WhatsApp),
            _ => ("sms", tenant.Options.Delivery.Sms),
        };
        var delivered = await metrics.DeliverAsync(name, provider, () => channel switch
        {
            OtpChannel.Email => email.SendAsync(tenant, message),
            OtpChannel.WhatsApp => whatsApp.SendAsync(tenant, message),
            _ => sms.SendAsync(tenant, message),
        });
        if (!delivered.Delivered)
        {
            LogNotDelivered(logger, tenant.Id, channel);
            return new ApiError(ErrorCodes.DeliveryFailed, $"The code could not be delivered: {delivered.Detail} No challenge was started.");
        }
        return draft with { CodeHash = codes.Hash(draft.Id, code) };
    }

    /// <summary>Counts a challenge started, under the method of the channel its code went by.</summary>
    public void Started(Tenant tenant, OtpChannel channel)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        metrics.Started(tenant.Id, channel switch
        {
            OtpChannel.Email => VerificationMethods.EmailOtp,
            OtpChannel.WhatsApp => VerificationMethods.WhatsApp,
            _ => VerificationMethods.Sms,
        });
    }

    /// <summary>Counts a challenge that ended (verified, max_attempts).</summary>
    public void Completed(Tenant tenant, OtpChallengeRecord challenge, string endedAs)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(challenge);
        metrics.Completed(tenant.Id, challenge.VerificationMethod ?? "OTP", endedAs);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTP for tenant {TenantId} not delivered by {Channel}; no challenge started")]
    private static partial void LogNotDelivered(ILogger logger, string tenantId, OtpChannel channel);
}
