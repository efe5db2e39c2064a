using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Challenges.Api.MagicLink;

/// <summary>
/// The page a magic link opens. GET shows what the link can do and, for a pending link, a form whose button confirms
/// it (a POST to the same address); mail scanners that fetch the link only ever see the form. No script at all; the one
/// style block is allowed by its hash; the page cannot be framed, sends no referrer (the address holds the link's
/// secret) and is never cached.
/// </summary>
public static class MagicLinkPage
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}" +
        "h1{font-size:1.3rem}button{width:100%;padding:.7rem;font-size:1rem;border-radius:.4rem;border:0;background:#1b1b1f;color:#fff;cursor:pointer}";

    private static readonly string StyleHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)));

    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{StyleHash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>The page for <paramref name="state"/>, with its status; <paramref name="token"/> goes into the confirm form only.</summary>
    public static IResult Render(HttpContext context, LinkState state, string? token)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        var (status, heading, text) = state switch
        {
            LinkState.Pending => (StatusCodes.Status200OK, "Confirm it is you", "Press the button to finish signing in."),
            LinkState.Confirmed => (StatusCodes.Status200OK, "You are signed in", "Go back to the application: it continues by itself. You can close this page."),
            LinkState.Used => (StatusCodes.Status409Conflict, "This link has already been used", "A link works once. If you did not use it, ask the application for a new one."),
            LinkState.Expired => (StatusCodes.Status410Gone, "This link has expired", "Go back to the application and ask for a new link."),
            LinkState.Superseded => (StatusCodes.Status410Gone, "A newer link was sent", "Use the most recent link, or ask the application for a new one."),
            LinkState.Closed => (StatusCodes.Status409Conflict, "This sign-in can no longer be confirmed", "Go back to the application and start again."),
            _ => (StatusCodes.Status404NotFound, "This link is not valid", "Check that the whole link was opened, or ask the application for a new one."),
        };
        var form = state == LinkState.Pending
            ? $"""<form method="post" action="email-magic-link?t={WebUtility.HtmlEncode(Uri.EscapeDataString(token ?? ""))}"><button type="submit">Confirm sign-in</button></form>"""
            : "";
        var html = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{WebUtility.HtmlEncode(heading)}</title>
            <style>{Style}</style>
            </head>
            <body><main><h1>{WebUtility.HtmlEncode(heading)}</h1><p>{WebUtility.HtmlEncode(text)}</p>{form}</main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
