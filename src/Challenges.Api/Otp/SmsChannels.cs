namespace Challenges.Api.Otp;

/// <summary>SMS channels (docs/contract.md §1.4).</summary>
public static class SmsChannels
{
    public const string Default = "DEFAULT";
    public const string WhatsApp = "WHATSAPP";

    public static readonly string[] All = [Default, WhatsApp];
}
