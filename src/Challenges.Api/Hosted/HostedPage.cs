using System.Globalization;
using System.Net;
using System.Text.Json;
using Challenges.Api.Actions;
using Challenges.Api.Tenants;

namespace Challenges.Api.Hosted;

/// <summary>
/// The hosted page's HTML: a shell with the tenant's branding and everything <c>hosted.js</c> needs in <c>data-</c>
/// attributes (HTML-encoded, so no value can open markup or script; the CSP allows no inline script or style at all).
/// </summary>
public static class HostedPage
{
    /// <summary>What the page starts with, from the action's state.</summary>
    public static string StepOf(string state) => state switch
    {
        _ when ActionStates.AwaitsChallenge(state) => "ready",
        ActionStates.ChallengeSucceeded => "used",
        ActionStates.ChallengeFailed => "stopped",
        _ => "blocked",
    };

    /// <summary>The page that runs the challenge.</summary>
    public static string App(string language, Tenant tenant, ActionRecord action, string token, string? redirectUrl,
        IReadOnlyList<string> methods)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(action);
        var options = tenant.Options.HostedPage;
        var strings = HostedStrings.Instance.For(language);
        var data = new Dictionary<string, string>
        {
            ["token"] = token,
            ["redirect-url"] = redirectUrl ?? "",
            ["step"] = StepOf(action.State),
            ["methods"] = JsonSerializer.Serialize(methods),
            ["calling-code"] = options.DefaultCallingCode,
            ["cooldown"] = ((int)options.ResendCooldown.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["strings"] = JsonSerializer.Serialize(strings),
        };
        var attributes = string.Concat(data.Select(d => $" data-{d.Key}=\"{Encode(d.Value)}\""));
        var heading = options.ActionNames.TryGetValue(action.ActionCode, out var name) ? name : strings["title"];
        var body = $"""
            <main id="app"{attributes}>
            {Brand(tenant)}<h1 id="heading">{Encode(heading)}</h1>
            <p class="intro">{Encode(Intro(strings, options))}</p>
            <div id="error" class="error" role="alert"></div>
            <div id="status" class="status" role="status"></div>
            <div id="panel"><p>{Encode(strings["loading"])}</p></div>
            </main>
            <script src="/hosted/hosted.js"></script>
            """;
        return Document(language, strings["title"], tenant.Id, body);
    }

    /// <summary>A page that only says something (an expired link, an action that is gone): no script.</summary>
    public static string Notice(string language, string headingKey, string textKey, Tenant? tenant)
    {
        var strings = HostedStrings.Instance.For(language);
        var body = $"""
            <main>
            {(tenant is null ? "" : Brand(tenant))}<h1>{Encode(strings[headingKey])}</h1>
            <p>{Encode(strings[textKey])}</p>
            </main>
            """;
        return Document(language, strings["title"], tenant?.Id, body);
    }

    private static string Intro(IReadOnlyDictionary<string, string> strings, HostedPageOptions options) =>
        options.DisplayName.Length == 0 ? strings["intro"] : strings["introTenant"].Replace("{tenant}", options.DisplayName, StringComparison.Ordinal);

    private static string Brand(Tenant tenant)
    {
        var options = tenant.Options.HostedPage;
        if (options.DisplayName.Length == 0 && options.LogoUrl is null)
        {
            return "";
        }
        var logo = options.LogoUrl is { } url ? $"""<img src="{Encode(url.AbsoluteUri)}" alt="" class="logo">""" : "";
        return $"""<header class="brand">{logo}<span class="tenant">{Encode(options.DisplayName)}</span></header>""" + "\n";
    }

    private static string Document(string language, string title, string? tenantId, string body) => $$"""
        <!doctype html>
        <html lang="{{Encode(language)}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="color-scheme" content="light dark">
        <title>{{Encode(title)}}</title>
        <link rel="stylesheet" href="/hosted/hosted.css">
        <link rel="stylesheet" href="/hosted/theme.css?tenant={{Uri.EscapeDataString(tenantId ?? "")}}">
        </head>
        <body>
        {{body}}
        </body>
        </html>
        """;

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
