using MailKit.Security;

namespace Challenges.Api.Delivery;

/// <summary>The <c>Smtp</c> section: the mail server (relay or provider) for email OTP.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "";
    public int Port { get; set; } = 25;

    /// <summary>
    /// <c>Auto</c> (implicit TLS on port 465, else STARTTLS when the server offers it), <c>StartTls</c> (required),
    /// <c>SslOnConnect</c> (implicit TLS), <c>StartTlsWhenAvailable</c> or <c>None</c>.
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    /// <summary>AUTH user name (PLAIN or LOGIN, as the server offers); empty → no AUTH. Credentials are sent only over TLS.</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>A PEM file of CA certificates to trust for the server's certificate, besides the system's.</summary>
    public string CaCertificate { get; set; } = "";

    /// <summary>The sender address (envelope and From header).</summary>
    public string From { get; set; } = "";

    public string Subject { get; set; } = "Your verification code";

    /// <summary>The subject of an email magic link.</summary>
    public string LinkSubject { get; set; } = "Your sign-in link";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
