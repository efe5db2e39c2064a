namespace Challenges.Api.PushDelivery;

/// <summary>How this server talks to one push service.</summary>
public sealed class PushServiceOptions
{
    /// <summary>
    /// Replaces the service's own address for every tenant (a test double). Empty: APNs by each tenant's environment,
    /// FCM at fcm.googleapis.com. An <c>http://</c> URL is spoken as HTTP/2 without TLS for APNs (prior knowledge).
    /// </summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The longest one request may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests in flight to the service at once, from this process; more wait their turn.</summary>
    public int MaxConcurrentSends { get; set; } = 100;
}
