namespace Challenges.Api.Delivery;

/// <summary>The <c>Twilio</c> section: Twilio's Messages REST API (base URL configurable so tests run a local fake).</summary>
public sealed class TwilioOptions
{
    public const string Section = "Twilio";

    public Uri BaseUrl { get; set; } = new("https://api.twilio.com");
    public string AccountSid { get; set; } = "";
    public string AuthToken { get; set; } = "";

    /// <summary>Sender number (E.164) or messaging service for SMS.</summary>
    public string From { get; set; } = "";

    /// <summary>WhatsApp sender, with or without the <c>whatsapp:</c> prefix.</summary>
    public string WhatsAppFrom { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
