namespace Challenges.Api.Tenants;

/// <summary>
/// A tenant's WebAuthn relying party (<c>Tenants__N__Passkeys__...</c>), needed when the tenant allows PASSKEY or
/// SECURITY_KEY: the RP ID its credentials are scoped to, the name authenticators show, and the origins its pages and
/// apps sign from.
/// </summary>
public sealed class PasskeyOptions
{
    /// <summary>The RP ID: a domain (e.g. <c>example.com</c>) that each https origin's host equals or ends with; <c>localhost</c> in development.</summary>
    public string RpId { get; set; } = "";

    /// <summary>The relying party's name, shown by some authenticators when a credential is created.</summary>
    public string RpName { get; set; } = "";

    /// <summary>
    /// Where a ceremony may run: https origins (<c>https://app.example.com</c>), <c>http://localhost:&lt;port&gt;</c> for
    /// development, and Android apps as <c>android:apk-key-hash:&lt;base64url SHA-256 of the signing certificate&gt;</c>.
    /// </summary>
    public IList<string> Origins { get; } = [];

    /// <summary>How long registration and authentication options may be answered.</summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether <paramref name="origin"/> is one of <see cref="Origins"/>, compared as a WebAuthn client reports it.</summary>
    public bool Allows(string origin) => Origins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));

    /// <summary>The web origins among <see cref="Origins"/> (those pages call the Client API from, for CORS).</summary>
    public IEnumerable<string> WebOrigins() => Origins.Where(o => o.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        o.StartsWith("http://", StringComparison.OrdinalIgnoreCase)).Select(o => o.TrimEnd('/'));
}
