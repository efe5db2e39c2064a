namespace Challenges.Api.Otp;

/// <summary>How a code travels; chooses the sender (and with it the tenant's provider for that channel).</summary>
public enum OtpChannel
{
    Sms,
    WhatsApp,
    Email,
}
