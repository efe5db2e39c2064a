namespace Challenges.Api.PushDelivery;

/// <summary>The <c>Push</c> section: settings of the push services shared by every tenant (credentials are per tenant).</summary>
public sealed class PushProvidersOptions
{
    public const string Section = "Push";

    public PushServiceOptions Apns { get; set; } = new();
    public PushServiceOptions Fcm { get; set; } = new();
}
