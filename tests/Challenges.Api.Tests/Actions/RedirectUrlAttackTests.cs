using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;

namespace Challenges.Api.Tests.Actions;

/// <summary>
/// The hosted page sends the user, with a fresh token, to the action's <c>redirectUrl</c>: against a real Production
/// process, only an absolute https URL (or http to a loopback host) is accepted.
/// </summary>
public sealed class RedirectUrlAttackTests : ServerProcessTest
{
    private Task<HttpResponseMessage> Track(string redirectUrl) =>
        Admin.PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { redirectUrl });

    [Fact]
    public async Task Script_data_file_and_plain_http_redirects_are_refused()
    {
        foreach (var url in new[]
        {
            "javascript:alert(document.domain)", "JavaScript://app.example/%0aalert(1)", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "file:///etc/passwd", "http://app.example/done", "ftp://app.example/done", "//app.example/done", "/done",
        })
        {
            var description = await Track(url).Error(HttpStatusCode.BadRequest, "invalid_request");
            Assert.StartsWith("redirectUrl:", description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Https_and_loopback_http_redirects_are_kept_for_the_hosted_page()
    {
        foreach (var url in new[] { "https://app.example/done?x=1", "http://localhost:3000/done", "http://127.0.0.1:8080/done" })
        {
            var tracked = await Track(url).Ok();
            var page = await Server.Client().GetStringAsync(new Uri(tracked.Str("url")).PathAndQuery);
            Assert.Contains($"data-redirect-url=\"{System.Net.WebUtility.HtmlEncode(url)}\"", page, StringComparison.Ordinal);
        }
    }
}
