namespace Challenges.Api.Http;

/// <summary>
/// The root <c>PublicUrl</c> setting: this server's public URL. Required outside Development: without it the hosted
/// page links of tracked actions would follow the request's <c>Host</c> header, which the caller chooses.
/// </summary>
public sealed class PublicUrlOptions
{
    public const string Key = "PublicUrl";

    public string? Url { get; set; }

    public static bool IsValid(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}
