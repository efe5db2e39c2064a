using Challenges.Api.Tenants;
using Microsoft.Extensions.Options;

namespace Challenges.Api.PushDelivery;

/// <summary>
/// Refuses to start when push delivery could not work, naming the key: APNs settings given in part, a key that is not
/// an APNs key, a service account that is not one, a notification text that is empty or too long, a bad service
/// address or bound. Keys and accounts are loaded here once, so a send never meets them broken.
/// </summary>
public sealed class PushConfigurationValidator : IValidateOptions<TenantsOptions>, IValidateOptions<PushProvidersOptions>
{
    public const int MaxTitleLength = 100;
    public const int MaxBodyLength = 300;
    private static readonly string[] Environments = ["production", "sandbox"];

    public ValidateOptionsResult Validate(string? name, TenantsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var push = options.Tenants[i].Push;
            var at = $"Tenants__{i}__Push__";
            CheckApns(push.Apns, at + "Apns__", failures);
            if (!PushDeliveryModes.All.Contains(push.DeliveryMode(), StringComparer.Ordinal))
            {
                failures.Add($"{at}Delivery must be Webhook, Direct or Both.");
            }
            CheckFatigue(push.Fatigue, at + "Fatigue__", failures);
            if (push.Fcm.ServiceAccount.Length > 0 && FcmServiceAccount.Parse(push.Fcm.ServiceAccount, out var problem) is null)
            {
                failures.Add($"{at}Fcm__ServiceAccount {problem}.");
            }
            CheckText(push.Notification.Title, MaxTitleLength, $"{at}Notification__Title", failures);
            CheckText(push.Notification.Body, MaxBodyLength, $"{at}Notification__Body", failures);
            foreach (var (action, text) in push.Notification.Actions)
            {
                CheckText(text.Title, MaxTitleLength, $"{at}Notification__Actions__{action}__Title", failures);
                CheckText(text.Body, MaxBodyLength, $"{at}Notification__Actions__{action}__Body", failures);
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, PushProvidersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ResultWait < TimeSpan.Zero || options.ResultWait > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{PushProvidersOptions.Section}__ResultWait must be between 0 and 30 seconds.");
        }
        foreach (var (service, o) in new[] { ("Apns", options.Apns), ("Fcm", options.Fcm) })
        {
            var at = $"{PushProvidersOptions.Section}__{service}__";
            if (o.BaseUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
                                         || url.Query.Length > 0 || url.Fragment.Length > 0))
            {
                failures.Add($"{at}BaseUrl must be an absolute http or https URL without query or fragment.");
            }
            if (o.Timeout <= TimeSpan.Zero)
            {
                failures.Add($"{at}Timeout must be positive.");
            }
            if (o.MaxConcurrentSends is < 1 or > 10_000)
            {
                failures.Add($"{at}MaxConcurrentSends must be between 1 and 10000.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckApns(ApnsOptions apns, string at, List<string> failures)
    {
        if (!Environments.Contains(apns.Environment, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"{at}Environment must be production or sandbox.");
        }
        var parts = new[] { ("TeamId", apns.TeamId), ("KeyId", apns.KeyId), ("PrivateKey", apns.PrivateKey), ("Topic", apns.Topic) };
        if (parts.All(p => p.Item2.Length == 0))
        {
            return;
        }
        foreach (var (part, _) in parts.Where(p => p.Item2.Length == 0))
        {
            failures.Add($"{at}{part} is required with the other APNs settings (TeamId, KeyId, PrivateKey, Topic).");
        }
        foreach (var (part, value) in parts.Take(2).Where(p => p.Item2.Length > 0 && !IsAppleId(p.Item2)))
        {
            failures.Add($"{at}{part} must be the 10-character {(part == "TeamId" ? "Team ID" : "Key ID")} from the Apple Developer account.");
        }
        if (apns.PrivateKey.Length > 0)
        {
            using var key = ApnsSigningKey.Load(apns.PrivateKey, out var problem);
            if (key is null)
            {
                failures.Add($"{at}PrivateKey {problem}.");
            }
        }
        if (apns.Topic.Length > 0 && (apns.Topic.Length > 255 || apns.Topic.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            failures.Add($"{at}Topic must be the app's bundle ID.");
        }
    }

    private static void CheckFatigue(PushFatigueOptions fatigue, string at, List<string> failures)
    {
        foreach (var (name, value) in new[] { ("MatchingFor", fatigue.MatchingFor), ("UnansweredWindow", fatigue.UnansweredWindow),
                     ("BlockFor", fatigue.BlockFor), ("FirstBackoff", fatigue.FirstBackoff), ("MaxBackoff", fatigue.MaxBackoff),
                     ("KnownAddressLifetime", fatigue.KnownAddressLifetime) })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromDays(365))
            {
                failures.Add($"{at}{name} must be between 0 and 365 days.");
            }
        }
        if (fatigue.UnansweredForMatching < 1)
        {
            failures.Add($"{at}UnansweredForMatching must be at least 1.");
        }
    }

    private static bool IsAppleId(string value) => value.Length == 10 && value.All(char.IsAsciiLetterOrDigit);

    /// <summary>A notification text: null (not overridden) or 1 to <paramref name="max"/> characters without control characters but line breaks.</summary>
    private static void CheckText(string? text, int max, string key, List<string> failures)
    {
        if (text is not null && (string.IsNullOrWhiteSpace(text) || text.Length > max || text.Any(c => char.IsControl(c) && c != '\n')))
        {
            failures.Add($"{key} must be 1 to {max} characters, without control characters other than line breaks.");
        }
    }
}
