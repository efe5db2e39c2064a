namespace Challenges.Api.Delivery;

/// <summary>The <c>Smtp</c> section: a plain SMTP relay for email OTP (no TLS or AUTH: use a local relay).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "";
    public int Port { get; set; } = 25;

    /// <summary>The sender address (envelope and From header).</summary>
    public string From { get; set; } = "";

    public string Subject { get; set; } = "Your verification code";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
