using Challenges.Api.Localization;
using Challenges.Api.Tenants;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// The notification of one push challenge: what the device shows (no secret, no user data) and the data the app needs
/// to fetch the challenge with its signed device request. The services drop it at <see cref="ExpiresAt"/>.
/// </summary>
public sealed record PushMessage(string ChallengeId, string ActionCode, DateTimeOffset ExpiresAt, string Title, string Body)
{
    /// <summary>The built-in words of a notification: one JSON file per language in <c>PushDelivery/Strings/</c>.</summary>
    public static LocalizedStrings Strings => Embedded.Value;

    private static readonly Lazy<LocalizedStrings> Embedded = new(() => LocalizedStrings.Load("PushDelivery/Strings"));

    /// <summary>
    /// The message for a challenge, with the tenant's text for its action where the tenant set one, else the built-in
    /// text in the language of <paramref name="locale"/> (the action's), else of the tenant's default locale. The
    /// built-in title names the tenant by its display name when it has one.
    /// </summary>
    public static PushMessage For(Tenant tenant, string challengeId, string actionCode, string? locale, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var texts = tenant.Options.Push.Notification;
        texts.Actions.TryGetValue(actionCode, out var own);
        var strings = Strings.For(Strings.Choose([locale, tenant.Options.HostedPage.DefaultLocale]));
        var displayName = tenant.Options.HostedPage.DisplayName;
        var title = displayName.Length == 0 ? strings["title"] : strings["titleTenant"].Replace("{tenant}", displayName, StringComparison.Ordinal);
        return new(challengeId, actionCode, expiresAt, own?.Title ?? texts.Title ?? title, own?.Body ?? texts.Body ?? strings["body"]);
    }
}
