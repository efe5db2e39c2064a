namespace Challenges.Api.PushDelivery;

/// <summary>The <c>Push</c> section: settings of the push services shared by every tenant (credentials are per tenant).</summary>
public sealed class PushProvidersOptions
{
    public const string Section = "Push";

    public PushServiceOptions Apns { get; set; } = new();
    public PushServiceOptions Fcm { get; set; } = new();

    /// <summary>
    /// How long starting a push waits for the sends to its devices (<c>Push__ResultWait</c>) before it answers; a send
    /// still going then is reported <c>PENDING</c> and finishes in the background.
    /// </summary>
    public TimeSpan ResultWait { get; set; } = TimeSpan.FromSeconds(2);
}
