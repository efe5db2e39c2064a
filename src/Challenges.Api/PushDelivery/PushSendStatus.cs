namespace Challenges.Api.PushDelivery;

public enum PushSendStatus
{
    /// <summary>The push service accepted the notification for the device.</summary>
    Delivered,

    /// <summary>The token will never work again (APNs <c>Unregistered</c>/<c>BadDeviceToken</c>, FCM <c>UNREGISTERED</c>): drop it.</summary>
    TokenDead,

    /// <summary>Worth another try later: throttled, the service unavailable, no answer.</summary>
    Transient,

    /// <summary>Refused for good; the error code says why.</summary>
    Failed,
}
