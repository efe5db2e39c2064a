using Challenges.Api.PushDelivery;
using Challenges.Api.Tenants;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>
/// The words of a notification in the user's language: the action's <c>locale</c> (tracked by the backend), else the
/// tenant's default, else English; as they arrive at the fake APNs and FCM.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PushNotificationLanguageTests(ApiFixture fixture) : IAsyncLifetime
{
    private const string EnglishTitle = "Confirm it's you";
    private const string EnglishBody = "Open the app to approve or reject this request.";
    private const string GermanTitle = "Bestätigen Sie, dass Sie es sind";
    private const string GermanBody = "Öffnen Sie die App, um diese Anfrage zu bestätigen oder abzulehnen.";

    private DirectPushServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new DirectPushServer(fixture);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>Enrols an iPhone (APNs) and an Android phone (FCM) for a new user, starts a push for an action tracked with <paramref name="locale"/>; the two notifications' texts.</summary>
    private async Task<((string Title, string Body) Apns, (string Title, string Body) Fcm)> NotifyBothAsync(string? locale)
    {
        var userId = ApiFixture.NewUserId();
        var apnsToken = ApnsFake.NewDeviceToken();
        var fcmToken = FcmFake.NewDeviceToken();
        await _server.EnrollAsync(userId, "ios", apnsToken);
        await _server.EnrollAsync(userId, "android", fcmToken);
        var token = await _server.TrackAsync(userId, body: locale is null ? new { } : new { locale });

        var started = await _server.StartAsync(token).Ok();

        Assert.All(started.GetProperty("deliveryResults").EnumerateArray(), r => Assert.Equal("SENT", r.Str("status")));
        var alert = Assert.Single(_server.Apns.For(apnsToken)).Body.GetProperty("aps").GetProperty("alert");
        var notification = Assert.Single(_server.Fcm.For(fcmToken)).Body.GetProperty("notification");
        Assert.Empty(_server.Apns.Problems);
        Assert.Empty(_server.Fcm.Problems);
        return ((alert.Str("title"), alert.Str("body")), (notification.Str("title"), notification.Str("body")));
    }

    [Fact]
    public async Task An_action_tracked_in_austrian_german_is_notified_in_german_through_apns_and_fcm()
    {
        var (apns, fcm) = await NotifyBothAsync("de-AT");

        Assert.Equal((GermanTitle, GermanBody), apns);
        Assert.Equal((GermanTitle, GermanBody), fcm);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("en-NZ")]
    [InlineData("fr-FR")]
    public async Task An_action_without_a_german_locale_is_notified_in_english(string? locale)
    {
        var (apns, fcm) = await NotifyBothAsync(locale);

        Assert.Equal((EnglishTitle, EnglishBody), apns);
        Assert.Equal((EnglishTitle, EnglishBody), fcm);
    }

    [Fact]
    public void Every_language_file_has_every_string_of_the_english_one()
    {
        var languages = PushMessage.Strings.Languages;
        Assert.Contains("de", languages.Keys);
        foreach (var (language, strings) in languages)
        {
            Assert.Equal(languages["en"].Keys.Order(StringComparer.Ordinal), strings.Keys.Order(StringComparer.Ordinal));
            Assert.All(strings.Values, v => Assert.False(string.IsNullOrWhiteSpace(v), $"{language} has an empty string"));
            Assert.Contains("{tenant}", strings["titleTenant"], StringComparison.Ordinal);
        }
    }
}

/// <summary>The tenant's part in a notification's words: its default language, its display name, its own texts.</summary>
public sealed class PushNotificationTenantTextTests : IAsyncLifetime
{
    private readonly WatchedClock _clock = new();
    private FcmFake _fcm = null!;
    private PushKit _kit = null!;

    public Task InitializeAsync()
    {
        _fcm = new FcmFake(_clock);
        _kit = PushKit.For(_clock, fcm: _fcm);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    /// <summary>Sends a notification of <paramref name="tenant"/> for an action tracked with <paramref name="locale"/>; the text FCM got.</summary>
    private async Task<(string Title, string Body)> SendAsync(Tenant tenant, string? locale, string actionCode = "signIn")
    {
        var deviceToken = FcmFake.NewDeviceToken();
        var result = await _kit.Delivery.SendAsync(tenant, _kit.Message(tenant, actionCode, locale: locale),
            new PushTarget("authenticator-1", "android", deviceToken), CancellationToken.None);
        Assert.True(result.Delivered);
        var notification = Assert.Single(_fcm.For(deviceToken)).Body.GetProperty("notification");
        return (notification.Str("title"), notification.Str("body"));
    }

    [Fact]
    public async Task The_tenants_default_locale_serves_an_action_without_a_locale_or_with_one_there_are_no_words_for()
    {
        var tenant = PushKit.Tenant(fcm: _fcm, configure: o => o.HostedPage.DefaultLocale = "de");

        Assert.Equal(("Bestätigen Sie, dass Sie es sind", "Öffnen Sie die App, um diese Anfrage zu bestätigen oder abzulehnen."),
            await SendAsync(tenant, null));
        Assert.Equal("Bestätigen Sie, dass Sie es sind", (await SendAsync(tenant, "fr-CH")).Title);
        // The action's own locale comes first.
        Assert.Equal(("Confirm it's you", "Open the app to approve or reject this request."), await SendAsync(tenant, "en-GB"));
    }

    [Fact]
    public async Task The_tenants_display_name_leads_the_title_in_the_users_language()
    {
        var tenant = PushKit.Tenant(fcm: _fcm, configure: o => o.HostedPage.DisplayName = "Acme Bank");

        Assert.Equal("Acme Bank: confirm it's you", (await SendAsync(tenant, null)).Title);
        Assert.Equal("Acme Bank: Bestätigen Sie, dass Sie es sind", (await SendAsync(tenant, "de-DE")).Title);
    }

    [Fact]
    public async Task A_title_the_tenant_set_replaces_the_built_in_one_in_every_language_and_the_body_stays_localised()
    {
        var tenant = PushKit.Tenant(fcm: _fcm, configure: o =>
        {
            o.HostedPage.DisplayName = "Acme Bank";
            o.Push.Notification.Title = "Acme";
            o.Push.Notification.Actions["withdraw"] = new PushNotificationText { Body = "Approve the withdrawal." };
        });

        Assert.Equal(("Acme", "Öffnen Sie die App, um diese Anfrage zu bestätigen oder abzulehnen."), await SendAsync(tenant, "de"));
        Assert.Equal(("Acme", "Approve the withdrawal."), await SendAsync(tenant, "de", "withdraw"));
    }
}
