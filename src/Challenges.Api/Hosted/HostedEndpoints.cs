using System.Net;
using System.Reflection;
using Challenges.Api.Actions;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Hosted;

/// <summary>
/// The hosted page that the <c>url</c> of a tracked action points at: a small page that runs the challenge with the
/// Client API and returns the fresh token to the action's <c>redirectUrl</c>. Not part of the JSON API.
/// </summary>
public static class HostedEndpoints
{
    private static readonly Lazy<string> Script = new(() =>
    {
        using var stream = typeof(HostedEndpoints).Assembly.GetManifestResourceStream("Challenges.Api.Hosted.hosted.js")
            ?? throw new InvalidOperationException("hosted.js is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IEndpointRouteBuilder MapHosted(this IEndpointRouteBuilder app)
    {
        var hosted = app.MapGroup("/hosted").ExcludeFromDescription().AllowAnonymous();
        hosted.MapGet("", Page);
        hosted.MapGet("/hosted.js", () => Results.Text(Script.Value, "text/javascript; charset=utf-8"));
        return app;
    }

    public static async Task<ContentHttpResult> Page(string? token, TokenService tokens, TenantRegistry tenants, ActionService actions,
        HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        var check = await tokens.CheckAsync(token);
        if (check.Status != TokenStatus.Valid || tenants.FindById(check.Token!.TenantId) is not { } tenant)
        {
            return TypedResults.Content(Html("This link has expired or is not valid. Go back to the application and try again.", null),
                "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }
        var claims = check.Token;
        if ((await actions.GetAsync(tenant, ActionRef.Of(claims))).Value is not { } action)
        {
            return TypedResults.Content(Html("This sign-in attempt no longer exists.", null), "text/html; charset=utf-8",
                statusCode: StatusCodes.Status404NotFound);
        }
        return TypedResults.Content(Html($"Confirm: {action.ActionCode}", (token!, action.RedirectUrl)), "text/html; charset=utf-8");
    }

    private static string Html(string heading, (string Token, string? RedirectUrl)? app)
    {
        var body = app is var (token, redirect)
            ? $"""<main id="app" data-token="{WebUtility.HtmlEncode(token)}" data-redirect-url="{WebUtility.HtmlEncode(redirect ?? "")}"><h1>{WebUtility.HtmlEncode(heading)}</h1><div id="panel"><p>Loading…</p></div></main><script src="/hosted/hosted.js"></script>"""
            : $"""<main><h1>{WebUtility.HtmlEncode(heading)}</h1></main>""";
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Confirm it is you</title>
            <style>
              body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1f; }
              h1 { font-size: 1.3rem; }
              button { display: block; width: 100%; margin: .5rem 0; padding: .7rem; font-size: 1rem; border-radius: .4rem; border: 1px solid #444; background: #fff; cursor: pointer; }
              button[type=submit] { background: #1b1b1f; color: #fff; }
              label { display: block; margin: .8rem 0 .3rem; }
              input { display: block; width: 100%; box-sizing: border-box; margin-top: .3rem; padding: .6rem; font-size: 1.1rem; }
              .error { color: #b00020; } .ok { color: #0a7d32; } .code { font-size: 2rem; letter-spacing: .2rem; text-align: center; }
            </style>
            </head>
            <body>{{body}}</body>
            </html>
            """;
    }
}
