using System.Diagnostics.CodeAnalysis;

namespace Challenges.Api.Tenants;

/// <summary>The form of a configured web origin: a scheme, a host and an optional port, nothing after (a trailing <c>/</c> aside).</summary>
public static class WebOrigin
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out Uri? uri)
    {
        uri = Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.AbsolutePath == "/" && parsed.Query.Length == 0 &&
              parsed.Fragment.Length == 0 && parsed.UserInfo.Length == 0
            ? parsed
            : null;
        return uri is not null;
    }

    /// <summary>An http or https origin: what a browser sends in <c>Origin</c>.</summary>
    public static bool IsHttp(string? text) =>
        TryParse(text, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
