namespace Challenges.Api.Tenants;

/// <summary>The verification methods the server emits (docs/contract.md §1.4).</summary>
public static class VerificationMethods
{
    public const string Sms = "SMS";
    public const string WhatsApp = "WHATSAPP";
    public const string EmailOtp = "EMAIL_OTP";
    public const string Push = "PUSH";
    public const string Passkey = "PASSKEY";
    public const string SecurityKey = "SECURITY_KEY";

    public static readonly string[] Default = [Sms, WhatsApp, EmailOtp, Push];

    /// <summary>Every method a tenant may list in <c>Tenants__N__VerificationMethods</c>; the WebAuthn ones need <see cref="PasskeyOptions"/>.</summary>
    public static readonly string[] Known = [.. Default, Passkey, SecurityKey];

    /// <summary>The methods that need the tenant's relying party.</summary>
    public static readonly string[] WebAuthn = [Passkey, SecurityKey];

    /// <summary>Methods an authenticator can be created with directly by the Server API.</summary>
    public static readonly string[] Enrollable = [Sms, WhatsApp, EmailOtp];
}
