namespace Challenges.Api.Tenants;

/// <summary>The start-up checks of a tenant's relying party (<see cref="PasskeyOptions"/>).</summary>
public static class PasskeyOptionsValidator
{
    public const string AndroidOriginPrefix = "android:apk-key-hash:";

    /// <summary>What is wrong with <paramref name="options"/> for a tenant that allows passkeys or security keys; nothing when it is usable.</summary>
    public static IEnumerable<string> Check(string at, PasskeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rpId = options.RpId;
        if (string.IsNullOrWhiteSpace(rpId) || Uri.CheckHostName(rpId) != UriHostNameType.Dns || rpId.EndsWith('.'))
        {
            yield return $"{at}Passkeys__RpId must be a domain name (e.g. example.com, or localhost in development) when the tenant allows PASSKEY or SECURITY_KEY.";
            yield break;
        }
        if (string.IsNullOrWhiteSpace(options.RpName))
        {
            yield return $"{at}Passkeys__RpName must be set (authenticators show it) when the tenant allows PASSKEY or SECURITY_KEY.";
        }
        if (options.Origins.Count == 0)
        {
            yield return $"{at}Passkeys__Origins__0 must be set (an https origin, http://localhost:<port>, or android:apk-key-hash:<hash>) when the tenant allows PASSKEY or SECURITY_KEY.";
        }
        if (options.ChallengeLifetime <= TimeSpan.Zero || options.ChallengeLifetime > TimeSpan.FromMinutes(10))
        {
            yield return $"{at}Passkeys__ChallengeLifetime must be positive and at most 10 minutes.";
        }
        for (var i = 0; i < options.Origins.Count; i++)
        {
            if (Problem(rpId, options.Origins[i]) is { } problem)
            {
                yield return $"{at}Passkeys__Origins__{i} '{options.Origins[i]}' {problem}";
            }
        }
    }

    private static string? Problem(string rpId, string origin)
    {
        if (origin.StartsWith(AndroidOriginPrefix, StringComparison.Ordinal))
        {
            var hash = origin[AndroidOriginPrefix.Length..];
            return hash.Length >= 43 && hash.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/' or '=')
                ? null
                : "must carry the base64url SHA-256 of the app's signing certificate after android:apk-key-hash:.";
        }
        if (!WebOrigin.TryParse(origin, out var uri))
        {
            return "must be an origin: a scheme, a host and an optional port, nothing after.";
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            return "must be https (http only for localhost, in development).";
        }
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "must be an https origin, http://localhost:<port> or android:apk-key-hash:<hash>.";
        }
        var host = uri.IdnHost;
        return string.Equals(host, rpId, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + rpId, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"is not on the RP ID {rpId}: its host must equal it or end with .{rpId}.";
    }
}
