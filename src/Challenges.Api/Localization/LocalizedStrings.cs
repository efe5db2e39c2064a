using System.Collections.Frozen;
using System.Text.Json;

namespace Challenges.Api.Localization;

/// <summary>
/// Words people read, in their language: one JSON file of strings by key per language (<c>en.json</c>, <c>de.json</c>)
/// in a folder's <c>Strings/</c>, embedded in the assembly; every file has the keys of <c>en.json</c> (checked on load).
/// Adding a language is adding its file. A locale picks its language by its primary subtag (<c>de-AT</c> is <c>de</c>).
/// </summary>
public sealed class LocalizedStrings
{
    public const string Fallback = "en";

    private LocalizedStrings(FrozenDictionary<string, FrozenDictionary<string, string>> languages) => Languages = languages;

    /// <summary>Per language code (<c>en</c>, <c>de</c>): every string by key.</summary>
    public FrozenDictionary<string, FrozenDictionary<string, string>> Languages { get; }

    public FrozenDictionary<string, string> For(string language) => Languages[language];

    /// <summary>The language of the first of <paramref name="wanted"/> (locales, most wanted first) that there are strings for; English otherwise.</summary>
    public string Choose(IEnumerable<string?> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
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

    /// <summary>
    /// The files of <paramref name="folder"/> (a path below the project, such as <c>Feature/Strings</c>), embedded with
    /// the logical names <c>Challenges.Api.Feature.Strings.&lt;language&gt;.json</c> (the project file says so).
    /// </summary>
    public static LocalizedStrings Load(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var prefix = "Challenges.Api." + folder.Replace('/', '.') + ".";
        var assembly = typeof(LocalizedStrings).Assembly;
        var languages = new Dictionary<string, FrozenDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var strings = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidOperationException($"{name} is empty.");
            languages[name[prefix.Length..^".json".Length]] = strings.ToFrozenDictionary(StringComparer.Ordinal);
        }
        var english = languages.GetValueOrDefault(Fallback) ?? throw new InvalidOperationException($"{folder}/{Fallback}.json is not embedded.");
        foreach (var (language, strings) in languages)
        {
            if (english.Keys.FirstOrDefault(k => !strings.ContainsKey(k)) is { } missing)
            {
                throw new InvalidOperationException($"{folder}/{language}.json has no \"{missing}\".");
            }
        }
        return new LocalizedStrings(languages.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
