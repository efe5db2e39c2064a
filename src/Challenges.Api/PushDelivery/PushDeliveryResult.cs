namespace Challenges.Api.PushDelivery;

/// <summary>
/// How the notification to one device ended: <see cref="PushSendStatus.Delivered"/>, <see cref="PushSendStatus.TokenDead"/>
/// (drop the token the <see cref="PushTarget"/> carried) or <see cref="PushSendStatus.Failed"/> with its error code.
/// <see cref="Provider"/> names the push service used (<c>apns</c>, <c>fcm</c>), none when nothing was sent.
/// </summary>
public sealed record PushDeliveryResult(string UserAuthenticatorId, string? Provider, PushSendResult Result)
{
    public bool Delivered => Result.Status == PushSendStatus.Delivered;
    public bool TokenDead => Result.Status == PushSendStatus.TokenDead;
    public string? ErrorCode => Delivered ? null : Result.ErrorCode;
}
