using Microsoft.Extensions.Options;

namespace Challenges.Api.Http;

/// <summary>This server's public URL (<c>PublicUrl</c>): webhook <c>source</c> and hosted page links.</summary>
public sealed class PublicUrl(IOptions<PublicUrlOptions> options)
{
    private readonly string? _configured = options.Value.Url?.TrimEnd('/');

    /// <summary>The configured URL, else (Development only: it is required elsewhere) the one the request came in on.</summary>
    public string For(HttpContext? context) =>
        !string.IsNullOrEmpty(_configured) ? _configured
        : context is null ? "http://localhost"
        : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    public string Configured => string.IsNullOrEmpty(_configured) ? "http://localhost" : _configured;
}
