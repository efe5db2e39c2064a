namespace Challenges.Api.PushDelivery;

/// <summary>One device to notify: its push authenticator, platform (<c>ios</c>, <c>android</c> or unknown) and token.</summary>
public sealed record PushTarget(string UserAuthenticatorId, string? Platform, string? PushToken);
