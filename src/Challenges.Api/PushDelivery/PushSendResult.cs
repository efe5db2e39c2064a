namespace Challenges.Api.PushDelivery;

/// <summary>
/// The outcome of one send to one device. <see cref="Reason"/> is the service's own word for a failure (e.g.
/// <c>BadDeviceToken</c>, <c>UNAVAILABLE</c>, <c>HTTP 502</c>), for logs; it never holds a token.
/// </summary>
public sealed record PushSendResult(PushSendStatus Status, string? ErrorCode = null, string? Reason = null, TimeSpan? RetryAfter = null)
{
    public static readonly PushSendResult Delivered = new(PushSendStatus.Delivered);

    public static PushSendResult TokenDead(string reason) => new(PushSendStatus.TokenDead, PushErrorCodes.TokenInvalid, reason);

    public static PushSendResult Transient(string reason, TimeSpan? retryAfter = null) =>
        new(PushSendStatus.Transient, PushErrorCodes.ProviderError, reason, retryAfter);

    public static PushSendResult Failed(string errorCode, string reason) => new(PushSendStatus.Failed, errorCode, reason);
}
