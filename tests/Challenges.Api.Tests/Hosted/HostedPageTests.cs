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
        Assert.Contains("Confirm: signIn", html, StringComparison.Ordinal);
        Assert.Contains("data-redirect-url=\"https://app.example/done?x=1\"", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var script = await fixture.AnonymousClient().GetStringAsync("/hosted/hosted.js");
        Assert.Contains("/v1/client/verify/push", script, StringComparison.Ordinal);
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
    public async Task Markup_in_the_action_code_is_escaped()
    {
        var tracked = await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/{Uri.EscapeDataString("<script>x</script>")}", new { }).Ok();
        var html = await fixture.AnonymousClient().GetStringAsync(new Uri(tracked.Str("url")).PathAndQuery);
        Assert.DoesNotContain("<script>x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;x", html, StringComparison.Ordinal);
    }
}
