namespace Challenges.Api.PushDelivery;

/// <summary>The server's <see cref="TimeProvider"/> as Google's auth library reads time: token lifetimes follow the same clock.</summary>
public sealed class GoogleClock(TimeProvider time) : Google.Apis.Util.IClock
{
    public DateTime Now => time.GetLocalNow().DateTime;
    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
}
