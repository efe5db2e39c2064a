namespace Challenges.Api.Tenants;

/// <summary>The verification methods the server emits (docs/contract.md §1.4).</summary>
public static class VerificationMethods
{
    public const string Sms = "SMS";
    public const string WhatsApp = "WHATSAPP";
    public const string EmailOtp = "EMAIL_OTP";
    public const string Push = "PUSH";
    public const string EmailMagicLink = "EMAIL_MAGIC_LINK";

    public static readonly string[] Default = [Sms, WhatsApp, EmailOtp, Push, EmailMagicLink];

    /// <summary>Methods an authenticator can be created with directly by the Server API.</summary>
    public static readonly string[] Enrollable = [Sms, WhatsApp, EmailOtp];
}
