using System.Text.RegularExpressions;

namespace Challenges.Api.Tenants;

/// <summary>
/// How the hosted challenge page (<c>/hosted</c>, the tracked action's <c>url</c>) looks and behaves for a tenant
/// (<c>Tenants__N__HostedPage__...</c>). Every field is optional: without any the page is plain and says "your account".
/// </summary>
public sealed partial class HostedPageOptions
{
    /// <summary>
    /// The tenant's name as people know it, shown at the top of the page ("Sign in to Example") and in the title of a
    /// push notification the tenant gave no title of its own ("Example: confirm it's you").
    /// </summary>
    public string DisplayName { get; set; } = "";

    /// <summary>An absolute https URL of the tenant's logo (the page's CSP allows images from it); empty: no logo.</summary>
    public Uri? LogoUrl { get; set; }

    /// <summary>The colour of buttons and focus rings, <c>#rrggbb</c>; the text on it is black or white, whichever reads better.</summary>
    public string PrimaryColor { get; set; } = "#1b4fd8";

    /// <summary>Per action code, the words people see instead of the code ("signIn" → "Sign in", "withdraw" → "Withdraw money").</summary>
    public IDictionary<string, string> ActionNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The country calling code (digits, e.g. <c>64</c>) a phone number typed without one belongs to: "027 000 0000" becomes
    /// +64270000000. Empty: people must type the number with its country code.
    /// </summary>
    public string DefaultCallingCode { get; set; } = "";

    /// <summary>How long the page waits after sending a code before it offers to send another (the server's limits still apply).</summary>
    public TimeSpan ResendCooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The tenant's language: the page's when neither the action's <c>locale</c> nor the browser's Accept-Language names
    /// one the page has, and a push notification's when the action names none (or there is no action: a step-up).
    /// </summary>
    public string DefaultLocale { get; set; } = "en";

    /// <summary>What is wrong with these options, one line per problem, each naming its key below <paramref name="at"/>.</summary>
    public IEnumerable<string> Problems(string at)
    {
        if (DisplayName.Length > 100 || DisplayName.Any(char.IsControl))
        {
            yield return $"{at}DisplayName must be at most 100 characters, none of them control characters.";
        }
        if (LogoUrl is { } logo && (!logo.IsAbsoluteUri || logo.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{at}LogoUrl must be an absolute https URL.";
        }
        if (!HexColour().IsMatch(PrimaryColor))
        {
            yield return $"{at}PrimaryColor must be a colour written #rrggbb.";
        }
        foreach (var (action, name) in ActionNames)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            {
                yield return $"{at}ActionNames__{action} must be 1 to 100 characters, none of them control characters.";
            }
        }
        if (DefaultCallingCode.Length > 0 && !CallingCode().IsMatch(DefaultCallingCode))
        {
            yield return $"{at}DefaultCallingCode must be a country calling code of 1 to 3 digits, e.g. 64 (no +).";
        }
        if (ResendCooldown < TimeSpan.Zero || ResendCooldown > TimeSpan.FromMinutes(10))
        {
            yield return $"{at}ResendCooldown must be between 0 and 10 minutes.";
        }
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColour();

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex CallingCode();
}
