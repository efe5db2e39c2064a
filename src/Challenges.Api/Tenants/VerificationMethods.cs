namespace Challenges.Api.Tenants;

/// <summary>The verification methods the server emits (docs/contract.md §1.4).</summary>
public static class VerificationMethods
{
    public const string Sms = "SMS";
    public const string WhatsApp = "WHATSAPP";
    public const string EmailOtp = "EMAIL_OTP";
    public const string Push = "PUSH";
    public const string EmailMagicLink = "EMAIL_MAGIC_LINK";
    public const string AuthenticatorApp = "AUTHENTICATOR_APP";
    public const string RecoveryCode = "RECOVERY_CODE";
    public const string Passkey = "PASSKEY";
    public const string SecurityKey = "SECURITY_KEY";

    /// <summary>The methods of a tenant that names none. Recovery codes and the WebAuthn methods are only for a tenant that lists them.</summary>
    public static readonly string[] Default = [Sms, WhatsApp, EmailOtp, Push, EmailMagicLink, AuthenticatorApp];

    /// <summary>Every method a tenant may list in <c>Tenants__N__VerificationMethods</c>; the WebAuthn ones need <see cref="PasskeyOptions"/>.</summary>
    public static readonly string[] Known = [.. Default, RecoveryCode, Passkey, SecurityKey];

    /// <summary>The methods that need the tenant's relying party.</summary>
    public static readonly string[] WebAuthn = [Passkey, SecurityKey];

    /// <summary>Methods an authenticator can be created with directly by the Server API.</summary>
    public static readonly string[] Enrollable = [Sms, WhatsApp, EmailOtp, AuthenticatorApp, Passkey];
}
