using System.Net;
using System.Text.Json;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Totp;

namespace Challenges.Api.Tests.Hosted;

/// <summary>
/// The two calls the hosted page makes besides the Client API (docs/hosted-page.md): an authenticator-app enrolment with
/// its QR code (<c>POST /hosted/totp</c>), and the recovery codes of a user whose first authenticator the page just
/// enrolled (<c>POST /hosted/recovery-codes</c>). Tenant B enables recovery codes.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class HostedEnrolmentTests(ApiFixture fixture)
{
    private readonly HttpClient _tenantB = fixture.ServerClient(TestTenants.BKey);

    private async Task<string> TrackAsync(string userId) =>
        (await _tenantB.PostJson($"/v1/users/{userId}/actions/signIn", new { }).Ok()).Str("token");

    /// <summary>A new user enrols an authenticator app on the page and verifies it: the follow-up token.</summary>
    private async Task<(string UserId, string AccessToken)> EnrolAppOnThePageAsync()
    {
        var userId = ApiFixture.NewUserId();
        var page = fixture.BearerClient(await TrackAsync(userId));
        var enrolled = await page.PostAsync("/hosted/totp", null).Ok();
        var secret = TotpKit.FromBase32(enrolled.Str("secret"));
        var verified = await TotpKit.VerifyAsync(page, TotpKit.Code(secret, fixture.Clock.GetUtcNow()));
        Assert.True(verified.GetProperty("isVerified").GetBoolean());
        Assert.True(verified.Has("userAuthenticator"), "the code ended an enrolment");
        return (userId, verified.Str("accessToken"));
    }

    [Fact]
    public async Task The_page_enrols_an_authenticator_app_with_a_QR_code_of_the_same_uri_and_secret()
    {
        var page = fixture.BearerClient(await TrackAsync(ApiFixture.NewUserId()));

        var enrolled = await page.PostAsync("/hosted/totp", null).Ok();

        Assert.Equal(enrolled.Str("secret"), TotpKit.ToBase32(TotpKit.SecretOf(enrolled.Str("uri"))));
        var rows = enrolled.GetProperty("qr").EnumerateArray().Select(r => r.GetString()!).ToList();
        // A QR code of version v is 17 + 4v modules wide, with a quiet zone of 4 on each side.
        Assert.All(rows, r => Assert.Matches("^[01]+$", r));
        Assert.All(rows, r => Assert.Equal(rows.Count, r.Length));
        Assert.Equal(0, (rows.Count - 8 - 17) % 4);
        Assert.All(rows.Take(4).Concat(rows.TakeLast(4)), r => Assert.DoesNotContain('1', r));
        // The finder pattern's top row in the corner: seven dark modules after the quiet zone.
        Assert.Equal("1111111", rows[4].Substring(4, 7));
    }

    [Fact]
    public async Task The_page_cannot_enrol_an_app_with_a_token_that_may_not_add_authenticators()
    {
        var userId = ApiFixture.NewUserId();
        await TotpKit.EnrolVerifiedAsync(_tenantB, userId);

        await fixture.BearerClient(await TrackAsync(userId)).PostAsync("/hosted/totp", null).Error(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_first_authenticator_enrolled_on_the_page_gets_ten_codes_once_and_one_of_them_signs_in_later()
    {
        var (userId, accessToken) = await EnrolAppOnThePageAsync();
        var client = fixture.BearerClient(accessToken);

        var issued = await client.PostAsync("/hosted/recovery-codes", null).Ok();
        var codes = issued.GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();

        Assert.Equal(10, codes.Count);
        Assert.All(codes, c => Assert.Matches("^[a-z2-7]{5}-[a-z2-7]{5}$", c));
        await client.PostAsync("/hosted/recovery-codes", null).Error(HttpStatusCode.Conflict, "conflict");
        var redeemed = await fixture.BearerClient(await TrackAsync(userId))
            .PostJson("/v1/client/verify/recovery-code", new { verificationCode = codes[0] }).Ok();
        Assert.True(redeemed.GetProperty("isVerified").GetBoolean());
    }

    [Fact]
    public async Task Two_pages_asking_at_once_get_the_codes_only_once()
    {
        var (_, accessToken) = await EnrolAppOnThePageAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await fixture.BearerClient(accessToken).PostAsync("/hosted/recovery-codes", null);
            return response.StatusCode;
        }));

        Assert.Single(answers, s => s == HttpStatusCode.OK);
        Assert.All(answers.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s));
    }

    [Fact]
    public async Task Passing_a_challenge_for_a_user_who_had_an_authenticator_before_mints_no_recovery_codes()
    {
        // A user enrolled before the tenant enabled recovery codes has none; whoever passes a challenge for them (with a
        // stolen factor, say) must not be the one to receive their first codes.
        var userId = ApiFixture.NewUserId();
        var secret = await TotpKit.EnrolVerifiedAsync(_tenantB, userId);
        await using (var redis = await RedisInspector.ConnectAsync(fixture.RedisConfiguration))
        {
            Assert.True(await redis.Database.KeyDeleteAsync($"u:{{{TestTenants.B}:{userId}}}:recovery"));
        }
        var page = fixture.BearerClient(await TrackAsync(userId));
        var verified = await TotpKit.VerifyAsync(page, TotpKit.Code(secret, fixture.Clock.GetUtcNow()));
        Assert.True(verified.GetProperty("isVerified").GetBoolean());

        await fixture.BearerClient(verified.Str("accessToken")).PostAsync("/hosted/recovery-codes", null).Error(HttpStatusCode.Conflict, "conflict");
        var redeemed = await fixture.BearerClient(await TrackAsync(userId))
            .PostJson("/v1/client/verify/recovery-code", new { verificationCode = "abcde-fgh23" }).Error(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain("accessToken", redeemed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_codes_before_the_action_succeeded_nor_where_the_tenant_does_not_enable_them()
    {
        await fixture.BearerClient(await TrackAsync(ApiFixture.NewUserId())).PostAsync("/hosted/recovery-codes", null)
            .Error(HttpStatusCode.Conflict, "conflict");
        var tenantA = await fixture.ServerClient().PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok();
        await fixture.BearerClient(tenantA.Str("token")).PostAsync("/hosted/recovery-codes", null).Error(HttpStatusCode.BadRequest, "invalid_request");
        await fixture.AnonymousClient().PostAsync("/hosted/recovery-codes", null).Error(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
