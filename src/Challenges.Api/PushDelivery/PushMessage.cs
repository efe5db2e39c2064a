using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// The notification of one push challenge: what the device shows (no secret, no user data) and the data the app needs
/// to fetch the challenge with its signed device request. The services drop it at <see cref="ExpiresAt"/>.
/// </summary>
public sealed record PushMessage(string ChallengeId, string ActionCode, DateTimeOffset ExpiresAt, string Title, string Body)
{
    /// <summary>The message for a challenge, with the tenant's text for its action.</summary>
    public static PushMessage For(Tenant tenant, string challengeId, string actionCode, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var texts = tenant.Options.Push.Notification;
        texts.Actions.TryGetValue(actionCode, out var own);
        return new(challengeId, actionCode, expiresAt, own?.Title ?? texts.Title, own?.Body ?? texts.Body);
    }
}
