using System.Globalization;
using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>
/// Push credentials expire after the tenant's lifetime (90 days by default) unless they are used: a signed answer or a
/// signed update with <c>resetExpiry</c> starts the lifetime again. The test server's clock is moved, Redis is real.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CredentialExpiryTests(ApiFixture fixture)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);
    private readonly PushHelpers _push = new(fixture);

    private static DateTimeOffset ExpiresAt(System.Text.Json.JsonElement credential) =>
        DateTimeOffset.Parse(credential.Str("expiresAt"), CultureInfo.InvariantCulture);

    private static void AssertAbout(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.InRange(actual, expected - TimeSpan.FromSeconds(2), expected + TimeSpan.FromSeconds(2));

    [Fact]
    public async Task An_unused_push_credential_expires_and_is_refused_like_a_removed_one()
    {
        var userId = ApiFixture.NewUserId();
        var token = await _push.TrackAsync(userId, "addAuthenticator", new { scope = "add:authenticators" });
        var device = _push.NewDevice();
        var added = await device.AddCredentialAsync(token, "Phone", "ios");
        AssertAbout(fixture.Clock.GetUtcNow() + Lifetime, ExpiresAt(added));
        AssertAbout(ExpiresAt(added), ExpiresAt(await device.GetCredentialAsync()));

        fixture.Clock.Advance(Lifetime + TimeSpan.FromSeconds(1));

        foreach (var call in new Func<Task>[] { () => device.GetCredentialAsync(), () => device.GetPendingAsync(), () => device.UpdateAsync("t", resetExpiry: true) })
        {
            var refused = await Assert.ThrowsAsync<DeviceApiException>(call);
            Assert.Equal(400, refused.Status);
            Assert.Contains("invalid_credential", refused.Body, StringComparison.Ordinal);
        }
        Assert.False((await _push.Server.GetAsync($"/v1/users/{userId}").Ok()).GetProperty("isEnrolled").GetBoolean());
        await _push.StartAsync(await _push.TrackAsync(userId)).Error(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_signed_answer_renews_the_credential()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        fixture.Clock.Advance(TimeSpan.FromDays(60));

        var challengeId = await _push.StartChallengeAsync(await _push.TrackAsync(userId));
        await device.AnswerAsync(challengeId, approved: false);
        var answeredAt = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(TimeSpan.FromDays(60));

        AssertAbout(answeredAt + Lifetime, ExpiresAt(await device.GetCredentialAsync()));
    }

    [Fact]
    public async Task Reset_expiry_renews_the_credential_and_reports_the_new_expiry()
    {
        var userId = ApiFixture.NewUserId();
        var (device, _) = await _push.EnrollAsync(userId);
        var first = ExpiresAt(await device.GetCredentialAsync());
        fixture.Clock.Advance(TimeSpan.FromDays(80));

        Assert.Equal(first, ExpiresAt(await device.UpdateAsync("token-1")));
        var renewed = await device.UpdateAsync("token-2", resetExpiry: true);
        AssertAbout(fixture.Clock.GetUtcNow() + Lifetime, ExpiresAt(renewed));

        fixture.Clock.Advance(TimeSpan.FromDays(80));
        Assert.Equal(ExpiresAt(renewed), ExpiresAt(await device.GetCredentialAsync()));
    }
}
