using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Otp;

namespace Challenges.Api.Tests.MagicLink;

/// <summary>
/// Email magic links against a real server and Redis: the link from the <c>email.created</c> webhook a real listener
/// received, followed as a mail client (and a mail scanner) would.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class MagicLinkTests(ApiFixture fixture)
{
    private const string Finalize = "/v1/client/verify/email-magic-link/finalize";

    private readonly HttpClient _server = fixture.ServerClient();

    /// <summary>The link mailed last to <paramref name="email"/>: path and query on this server.</summary>
    private string LinkSentTo(string email, string tenantKey = TestTenants.AKey)
    {
        var request = fixture.Webhooks.Received.Last(r => OtpKit.IsDelivery(r, "email.created", email));
        OtpKit.AssertSigned(request, tenantKey == TestTenants.AKey ? [TestTenants.AKey, TestTenants.AKeyRotated] : [tenantKey],
            fixture.Clock.GetUtcNow());
        var data = OtpKit.Data(request);
        Assert.Equal("EMAIL_MAGIC_LINK", data.Str("verificationMethod"));
        Assert.False(data.Has("code"));
        var url = new Uri(data.Str("url"));
        Assert.Equal("https://challenges.test/hosted/email-magic-link", url.GetLeftPart(UriPartial.Path));
        return url.PathAndQuery;
    }

    private async Task<(string Token, string Email, HttpClient Client, JsonElement Enrolled)> EnrolAsync(string? tenantKey = null)
    {
        var email = OtpKit.NewEmail();
        var token = await OtpKit.TrackAsync(tenantKey is null ? _server : fixture.ServerClient(tenantKey), ApiFixture.NewUserId());
        var client = fixture.BearerClient(token);
        var enrolled = await client.PostJson("/v1/client/user-authenticators/email-magic-link", new { email }).Ok();
        return (token, email, client, enrolled);
    }

    private static async Task<JsonElement> PollAsync(HttpClient client, object? body = null) => await client.PostJson(Finalize, body ?? new { }).Ok();

    private async Task<(HttpStatusCode Status, string Html, HttpResponseMessage Response)> OpenAsync(string link, bool post = false)
    {
        var client = fixture.AnonymousClient();
        var response = post
            ? await client.PostAsync(link, new StringContent("", Encoding.UTF8, "application/x-www-form-urlencoded"))
            : await client.GetAsync(link);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>What the page's form posts to, resolved against the page's address as a browser would.</summary>
    private static string FormTarget(string link, string html)
    {
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        return new Uri(new Uri("https://challenges.test" + link), action).PathAndQuery;
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    /// <summary>The action of <paramref name="token"/> has not been completed by any challenge.</summary>
    private async Task AssertNotCompletedAsync(string token, HttpClient? server = null)
    {
        var action = await (server ?? _server).PostJson("/v1/validate", new { token }).Ok();
        Assert.NotEqual("CHALLENGE_SUCCEEDED", action.Str("state"));
        Assert.False(action.Has("verificationMethod"));
    }

    [Fact]
    public async Task A_prefetch_GET_of_the_link_completes_nothing_and_the_confirm_POST_completes_the_enrolment()
    {
        var (token, email, client, enrolled) = await EnrolAsync();
        Assert.True(enrolled.Has("challengeId"));
        var link = LinkSentTo(email);

        // A mail scanner fetches the link, twice: the page only offers the button.
        for (var i = 0; i < 2; i++)
        {
            var (status, html, response) = await OpenAsync(link);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("Confirm sign-in", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
        var pending = await PollAsync(client);
        Assert.False(pending.GetProperty("isVerified").GetBoolean());
        Assert.False(pending.Has("accessToken"));
        Assert.False(pending.Has("failureReason"));
        await AssertNotCompletedAsync(token);

        var page = await OpenAsync(link);
        var (confirmed, confirmedHtml, _) = await OpenAsync(FormTarget(link, page.Html), post: true);
        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Contains("You are signed in", confirmedHtml, StringComparison.Ordinal);

        var verified = await PollAsync(client);
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        var accessToken = verified.Str("accessToken");
        var authenticator = verified.GetProperty("userAuthenticator");
        Assert.Equal(enrolled.Str("userAuthenticatorId"), authenticator.Str("userAuthenticatorId"));
        Assert.Equal("EMAIL_MAGIC_LINK", authenticator.Str("verificationMethod"));
        Assert.Equal(email, authenticator.Str("email"));
        Assert.True(authenticator.Has("verifiedAt"));
        // Polls after success keep answering true, with a token for the same action.
        Assert.True((await PollAsync(client)).GetProperty("isVerified").GetBoolean());

        var valid = await _server.PostJson("/v1/validate", new { token = accessToken }).Ok();
        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("CHALLENGE_SUCCEEDED", valid.Str("state"));
        Assert.Equal("EMAIL_MAGIC_LINK", valid.Str("verificationMethod"));
        var user = await _server.GetAsync($"/v1/users/{enrolled.Str("userId")}").Ok();
        Assert.Contains("EMAIL_MAGIC_LINK", user.GetProperty("enrolledVerificationMethods").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_used_link_shows_it_was_used_and_completes_nothing_again()
    {
        var (_, email, client, _) = await EnrolAsync();
        var link = LinkSentTo(email);
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(link, post: true)).Status);
        var first = await PollAsync(client);
        Assert.True(first.GetProperty("isVerified").GetBoolean());

        var again = await OpenAsync(link, post: true);
        var shown = await OpenAsync(link);

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Contains("already been used", again.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, shown.Status);
        Assert.DoesNotContain("<form", shown.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_link_shows_it_expired_and_the_poll_says_so()
    {
        // Tenant B's links live one minute (TestTenants), well inside the client token's lifetime.
        var (token, email, client, _) = await EnrolAsync(TestTenants.BKey);
        var link = LinkSentTo(email, TestTenants.BKey);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        var shown = await OpenAsync(link);
        var posted = await OpenAsync(link, post: true);
        var poll = await PollAsync(client);

        Assert.Equal(HttpStatusCode.Gone, shown.Status);
        Assert.Contains("This link has expired", shown.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", shown.Html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, posted.Status);
        Assert.False(poll.GetProperty("isVerified").GetBoolean());
        Assert.Equal("CODE_INVALID_OR_EXPIRED", poll.Str("failureReason"));
        await AssertNotCompletedAsync(token, fixture.ServerClient(TestTenants.BKey));
    }

    [Fact]
    public async Task A_link_rewritten_to_name_another_tenant_or_another_secret_completes_nothing()
    {
        var (token, email, client, _) = await EnrolAsync();
        var link = LinkSentTo(email);
        var t = Uri.UnescapeDataString(link[(link.IndexOf("?t=", StringComparison.Ordinal) + 3)..]);
        var parts = t.Split('.');
        var otherTenant = Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.B)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var secret = parts[2];
        var otherSecret = (secret[0] == 'A' ? "B" : "A") + secret[1..];
        string[] forged =
        [
            $"{otherTenant}.{parts[1]}.{parts[2]}",
            $"{parts[0]}.{parts[1]}.{otherSecret}",
            $"{parts[0]}.{parts[1]}",
            "\"><script>alert(1)</script>",
        ];

        foreach (var candidate in forged)
        {
            var forgedLink = "/hosted/email-magic-link?t=" + Uri.EscapeDataString(candidate);
            var posted = await OpenAsync(forgedLink, post: true);
            Assert.Equal(HttpStatusCode.NotFound, posted.Status);
            Assert.Contains("This link is not valid", posted.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", posted.Html, StringComparison.Ordinal);
        }

        Assert.False((await PollAsync(client)).GetProperty("isVerified").GetBoolean());
        await AssertNotCompletedAsync(token);
        // The genuine link still works afterwards.
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(link, post: true)).Status);
    }

    [Fact]
    public async Task Another_users_token_cannot_poll_or_finish_a_users_challenge()
    {
        var (_, email, victim, enrolled) = await EnrolAsync();
        var (attackerToken, _, attacker, _) = await EnrolAsync();
        var link = LinkSentTo(email);
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(link, post: true)).Status);

        // The attacker names the victim's challenge: its own token finds only its own action's challenge.
        await attacker.PostJson(Finalize, new { challengeId = enrolled.Str("challengeId") }).Error(HttpStatusCode.NotFound, "not_found");
        var own = await PollAsync(attacker);
        Assert.False(own.GetProperty("isVerified").GetBoolean());
        await AssertNotCompletedAsync(attackerToken);
        // A token of a user who never started a link has nothing to poll.
        var stranger = fixture.BearerClient(await OtpKit.TrackAsync(_server, ApiFixture.NewUserId()));
        await stranger.PostJson(Finalize, new { }).Error(HttpStatusCode.NotFound, "not_found");
        Assert.True((await PollAsync(victim)).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task A_newer_link_replaces_the_older_one()
    {
        var (_, email, client, _) = await EnrolAsync();
        var older = LinkSentTo(email);
        await client.PostJson("/v1/client/challenge/email-magic-link", null).Ok();
        var newer = LinkSentTo(email);
        Assert.NotEqual(older, newer);

        var stale = await OpenAsync(older, post: true);

        Assert.Equal(HttpStatusCode.Gone, stale.Status);
        Assert.Contains("A newer link was sent", stale.Html, StringComparison.Ordinal);
        Assert.False((await PollAsync(client)).GetProperty("isVerified").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(newer, post: true)).Status);
        Assert.True((await PollAsync(client)).GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Polling_once_a_second_for_the_links_whole_life_is_never_limited_but_a_flood_is()
    {
        var (_, _, client, _) = await EnrolAsync();
        // The browser SDK's pace for the link's ten minutes, on the test clock (the client token lives as long).
        for (var second = 0; second < 595; second++)
        {
            using var response = await client.PostJson(Finalize, new { });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Far faster than any SDK polls: bounded by the per-user window (180 a minute by default).
        HttpResponseMessage? refused = null;
        for (var i = 0; i <= 180 && refused is null; i++)
        {
            var response = await client.PostJson(Finalize, new { });
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refused = response;
            }
        }
        Assert.NotNull(refused);
        await refused.AssertError(HttpStatusCode.TooManyRequests, "too_many_requests");
        Assert.True(refused.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task A_finalize_body_of_the_wrong_shape_gets_the_contract_error()
    {
        var (_, _, client, _) = await EnrolAsync();
        await client.PostRaw(Finalize, "{\"challengeId\": 5}").Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostJson("/v1/client/user-authenticators/email-magic-link", new { email = "not-an-email" })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task A_tenant_without_EMAIL_MAGIC_LINK_refuses_enrolment_and_its_links()
    {
        await using var factory = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock,
            new Dictionary<string, string?> { ["Tenants:0:VerificationMethods:0"] = "EMAIL_OTP" });
        var server = factory.CreateClient();
        server.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(TestTenants.AKey + ":")));
        var token = await OtpKit.TrackAsync(server, ApiFixture.NewUserId());
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        await client.PostJson("/v1/client/user-authenticators/email-magic-link", new { email = OtpKit.NewEmail() })
            .Error(HttpStatusCode.BadRequest, "invalid_request");
        await client.PostJson("/v1/client/challenge/email-magic-link", null).Error(HttpStatusCode.BadRequest, "invalid_request");

        // A link mailed while the method was enabled stops working once it is not.
        var (_, email, _, _) = await EnrolAsync();
        using var response = await factory.CreateClient().PostAsync(LinkSentTo(email), null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Smtp_mails_the_link_and_following_it_signs_in()
    {
        await using var smtp = new SmtpListener();
        await using var factory = new ChallengesFactory(fixture.RedisConfiguration, fixture.Webhooks.Url, fixture.Clock, new Dictionary<string, string?>
        {
            ["Tenants:0:Delivery:Email"] = "Smtp",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:From"] = "no-reply@challenges.test",
        });
        var email = OtpKit.NewEmail();
        var token = await OtpKit.TrackAsync(factory.CreateClientWithKey(), ApiFixture.NewUserId());
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        await client.PostJson("/v1/client/user-authenticators/email-magic-link", new { email }).Ok();

        var mail = Assert.Single(smtp.Messages);
        Assert.Contains("Subject: Your sign-in link\n", mail.Data, StringComparison.Ordinal);
        var body = mail.Data.Replace("=\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        var url = new Uri(MailedLink().Match(body).Value);
        Assert.Equal(0, OtpKit.CountDeliveries(fixture.Webhooks, "email.created", email));
        using var confirmed = await factory.CreateClient().PostAsync(url.PathAndQuery, null);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await client.PostJson(Finalize, new { }).Ok()).GetProperty("isVerified").GetBoolean());
    }

    [GeneratedRegex(@"https://challenges\.test/hosted/email-magic-link\?t=[A-Za-z0-9%._-]+")]
    private static partial Regex MailedLink();
}
