using Challenges.Api.Localization;
using Microsoft.Net.Http.Headers;

namespace Challenges.Api.Hosted;

/// <summary>
/// The hosted page's words: one JSON file per language in <c>Hosted/Strings/</c> (see <see cref="LocalizedStrings"/>).
/// The page picks its language from the action's <c>locale</c>, then the browser's <c>Accept-Language</c>, then the
/// tenant's default.
/// </summary>
public static class HostedStrings
{
    public const string Fallback = LocalizedStrings.Fallback;

    private static readonly Lazy<LocalizedStrings> Embedded = new(() => LocalizedStrings.Load("Hosted/Strings"));

    public static LocalizedStrings Instance => Embedded.Value;

    /// <summary>
    /// The language to use: the first of the action's locale (<c>de-AT</c> counts as <c>de</c>), the Accept-Language
    /// entries by quality, and the tenant's default that the page has; English otherwise.
    /// </summary>
    public static string Choose(string? actionLocale, IList<StringWithQualityHeaderValue> acceptLanguage, string tenantDefault)
    {
        ArgumentNullException.ThrowIfNull(acceptLanguage);
        return Instance.Choose(new[] { actionLocale }
            .Concat(acceptLanguage.Where(l => l.Quality is not 0).OrderByDescending(l => l.Quality ?? 1).Select(l => l.Value.Value))
            .Append(tenantDefault));
    }
}
