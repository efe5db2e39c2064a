using System.Net;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.Hosted;

[Collection(ApiCollection.Name)]
public sealed class HostedPageTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_tracked_url_serves_the_hosted_page_for_that_action()
    {
        var server = fixture.ServerClient();
        var tracked = await server.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { redirectUrl = "https://app.example/done?x=1" }).Ok();
        var url = new Uri(tracked.Str("url"));

        using var response = await fixture.AnonymousClient().GetAsync(url.PathAndQuery);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1 id=\"heading\">Confirm it’s you</h1>", html, StringComparison.Ordinal);
        Assert.Contains("data-redirect-url=\"https://app.example/done?x=1\"", html, StringComparison.Ordinal);
        Assert.Contains("data-step=\"ready\"", html, StringComparison.Ordinal);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'; style-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        var script = await fixture.AnonymousClient().GetStringAsync("/hosted/hosted.js");
        Assert.Contains("/hosted/push/wait", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_or_expired_link_says_so_without_running_anything()
    {
        using var response = await fixture.AnonymousClient().GetAsync("/hosted?token=not-a-token");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired or is not valid", html, StringComparison.Ordinal);
        Assert.DoesNotContain("hosted.js", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_redirect_a_redirect_in_the_page_query_is_ignored_only_the_tracked_target_is_used()
    {
        var tracked = await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { redirectUrl = "https://app.example/done" }).Ok();
        var url = new Uri(tracked.Str("url")).PathAndQuery + "&redirectUrl=https%3A%2F%2Fattacker.example%2F&redirect-url=https%3A%2F%2Fattacker.example%2F";
        var html = await fixture.AnonymousClient().GetStringAsync(url);
        Assert.Contains("data-redirect-url=\"https://app.example/done\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_language_picks_German_and_the_actions_locale_beats_it()
    {
        var server = fixture.ServerClient();
        var plain = await server.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();
        var english = await server.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { locale = "en-NZ" }).Ok();
        using var client = fixture.AnonymousClient();
        client.DefaultRequestHeaders.Add("Accept-Language", "fr-FR, de;q=0.8, en;q=0.5");
        Assert.Contains("<html lang=\"de\">", await client.GetStringAsync(new Uri(plain.Str("url")).PathAndQuery), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", await client.GetStringAsync(new Uri(english.Str("url")).PathAndQuery), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_language_file_has_every_string_of_the_English_one()
    {
        var languages = Challenges.Api.Hosted.HostedStrings.Instance.Languages;
        Assert.True(languages.Count >= 2, "English and at least one more language");
        foreach (var (language, strings) in languages)
        {
            Assert.Equal(languages["en"].Keys.Order(StringComparer.Ordinal), strings.Keys.Order(StringComparer.Ordinal));
            Assert.All(strings.Values, v => Assert.False(string.IsNullOrWhiteSpace(v), $"{language} has an empty string"));
        }
        var script = await fixture.AnonymousClient().GetStringAsync("/hosted/hosted.js");
        foreach (System.Text.RegularExpressions.Match used in System.Text.RegularExpressions.Regex.Matches(script, @"say\(""(\w+)""|""(\w+(?:Heading|Text))"""))
        {
            var key = used.Groups[1].Success ? used.Groups[1].Value : used.Groups[2].Value;
            Assert.True(languages["en"].ContainsKey(key), $"hosted.js uses \"{key}\", which en.json does not have");
        }
    }

    [Theory]
    [InlineData("#ffffff", "#000000")]
    [InlineData("#000000", "#ffffff")]
    [InlineData("#1b4fd8", "#ffffff")]
    [InlineData("#ffd400", "#000000")]
    public void The_text_on_the_tenants_colour_is_the_one_with_more_contrast(string brand, string text) =>
        Assert.Equal(text, Challenges.Api.Hosted.HostedTheme.OnColour(brand));

    [Fact]
    public async Task A_tenant_colour_cannot_inject_css_the_theme_of_an_unknown_tenant_is_the_default()
    {
        var problems = new Challenges.Api.Tenants.HostedPageOptions { PrimaryColor = "red;}body{display:none" }.Problems("Tenants__0__HostedPage__");
        Assert.Contains("Tenants__0__HostedPage__PrimaryColor must be a colour written #rrggbb.", problems);
        var logo = new Challenges.Api.Tenants.HostedPageOptions { LogoUrl = new Uri("http://cdn.example/logo.png") }.Problems("x__");
        Assert.Contains("x__LogoUrl must be an absolute https URL.", logo);
        using var response = await fixture.AnonymousClient().GetAsync("/hosted/theme.css?tenant=%3C%2Fstyle%3E");
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(":root{--brand:#1b4fd8;--on-brand:#ffffff;}\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Markup_in_the_action_code_is_escaped()
    {
        var tracked = await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/{Uri.EscapeDataString("<script>x</script>")}", new { }).Ok();
        var html = await fixture.AnonymousClient().GetStringAsync(new Uri(tracked.Str("url")).PathAndQuery);
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
        Assert.Contains("data-step=\"ready\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markup_in_the_tenants_names_and_the_redirect_is_escaped()
    {
        var options = new Challenges.Api.Tenants.TenantOptions { Id = "t\"><script>", HostedPage = new() { DisplayName = "<b>Bank</b>" } };
        options.HostedPage.ActionNames["signIn"] = "<img src=x onerror=alert(1)>";
        var action = new Challenges.Api.Actions.ActionRecord
        {
            UserId = "u", ActionCode = "signIn", IdempotencyKey = "k", State = "CHALLENGE_REQUIRED",
            CreatedAt = DateTimeOffset.UnixEpoch, StateUpdatedAt = DateTimeOffset.UnixEpoch,
        };
        var html = Challenges.Api.Hosted.HostedPage.App("en", new Challenges.Api.Tenants.Tenant(options), action, "tok\"en",
            "https://app.example/?a=1&b=\"><script>", ["SMS"]);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\"><script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("data-token=\"tok&quot;en\"", html, StringComparison.Ordinal);
    }
}
