using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Challenges.Api.Hosted;

/// <summary>
/// The hosted page's words: one JSON file per language in <c>Hosted/Strings/</c> (embedded), every file with the keys of
/// <c>en.json</c>. Adding a language is adding its file; the page picks it from the action's <c>locale</c>, then the
/// browser's <c>Accept-Language</c>, then the tenant's default.
/// </summary>
public sealed class HostedStrings
{
    public const string Fallback = "en";
    private const string Prefix = "Challenges.Api.Hosted.Strings.";

    private static readonly Lazy<HostedStrings> Embedded = new(Load);

    private HostedStrings(FrozenDictionary<string, FrozenDictionary<string, string>> languages) => Languages = languages;

    public static HostedStrings Instance => Embedded.Value;

    /// <summary>Per language code (<c>en</c>, <c>de</c>): every string of the page by key.</summary>
    public FrozenDictionary<string, FrozenDictionary<string, string>> Languages { get; }

    public FrozenDictionary<string, string> For(string language) => Languages[language];

    /// <summary>
    /// The language to use: the first of the action's locale (<c>de-AT</c> counts as <c>de</c>), the Accept-Language
    /// entries by quality, and the tenant's default that the page has; English otherwise.
    /// </summary>
    public string Choose(string? actionLocale, IList<StringWithQualityHeaderValue> acceptLanguage, string tenantDefault)
    {
        ArgumentNullException.ThrowIfNull(acceptLanguage);
        var wanted = new[] { actionLocale }
            .Concat(acceptLanguage.Where(l => l.Quality is not 0).OrderByDescending(l => l.Quality ?? 1).Select(l => l.Value.Value))
            .Append(tenantDefault);
        foreach (var locale in wanted)
        {
            if (locale is { Length: > 0 } && Languages.ContainsKey(Primary(locale)))
            {
                return Primary(locale);
            }
        }
        return Fallback;
    }

    private static string Primary(string locale) =>
        (locale.IndexOfAny(['-', '_']) is var dash and > 0 ? locale[..dash] : locale).ToLowerInvariant();

    private static HostedStrings Load()
    {
        var assembly = typeof(HostedStrings).Assembly;
        var languages = new Dictionary<string, FrozenDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var strings = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidOperationException($"{name} is empty.");
            languages[name[Prefix.Length..^".json".Length]] = strings.ToFrozenDictionary(StringComparer.Ordinal);
        }
        var english = languages.GetValueOrDefault(Fallback) ?? throw new InvalidOperationException("Hosted/Strings/en.json is not embedded.");
        foreach (var (language, strings) in languages)
        {
            if (english.Keys.FirstOrDefault(k => !strings.ContainsKey(k)) is { } missing)
            {
                throw new InvalidOperationException($"Hosted/Strings/{language}.json has no \"{missing}\".");
            }
        }
        return new HostedStrings(languages.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
