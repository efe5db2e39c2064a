namespace Challenges.Api.Http;

/// <summary>This server's public URL (<c>PublicUrl</c>): webhook <c>source</c> and hosted page links.</summary>
public sealed class PublicUrl(IConfiguration configuration)
{
    private readonly string? _configured = configuration["PublicUrl"]?.TrimEnd('/');

    /// <summary>The configured URL, else the one the request came in on.</summary>
    public string For(HttpContext? context) =>
        !string.IsNullOrEmpty(_configured) ? _configured
        : context is null ? "http://localhost"
        : $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    public string Configured => string.IsNullOrEmpty(_configured) ? "http://localhost" : _configured;
}
