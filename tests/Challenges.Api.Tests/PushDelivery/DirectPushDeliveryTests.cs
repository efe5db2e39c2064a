using Challenges.Api.PushDelivery;
using Challenges.Api.Tests.Infrastructure;

namespace Challenges.Api.Tests.PushDelivery;

/// <summary>Which service a device gets, what happens without a token or credentials, and the bound on sends in flight.</summary>
public sealed class DirectPushDeliveryTests : IAsyncLifetime
{
    private readonly WatchedClock _clock = new();
    private ApnsFake _apns = null!;
    private FcmFake _fcm = null!;

    public Task InitializeAsync()
    {
        _apns = new ApnsFake(_clock);
        _fcm = new FcmFake(_clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _apns.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    [Theory]
    [InlineData("ios", true, "apns")]
    [InlineData("IOS", true, "apns")]
    [InlineData(null, true, "apns")]
    [InlineData("ios", false, "fcm")]
    [InlineData("android", false, "fcm")]
    [InlineData(null, false, "fcm")]
    // An Android device never goes to APNs, whatever its token looks like (FCM will say whether it is one).
    [InlineData("android", true, "fcm")]
    public async Task A_device_is_sent_to_by_its_platform_and_the_shape_of_its_token(string? platform, bool apnsToken, string expected)
    {
        await using var kit = PushKit.For(_clock, _apns, _fcm);
        var tenant = PushKit.Tenant(_apns, _fcm);
        var token = apnsToken ? ApnsFake.NewDeviceToken() : FcmFake.NewDeviceToken();

        Assert.Equal(expected, kit.Registry.For(tenant, platform, token)?.Name);
    }

    [Fact]
    public async Task A_tenant_without_credentials_for_the_devices_service_sends_nothing_there()
    {
        await using var kit = PushKit.For(_clock, _apns, _fcm);
        var apnsOnly = PushKit.Tenant(apns: _apns);
        var fcmOnly = PushKit.Tenant(fcm: _fcm);

        var android = await kit.Delivery.SendAsync(apnsOnly, kit.Message(apnsOnly), new PushTarget("a-1", "android", FcmFake.NewDeviceToken()), CancellationToken.None);
        var iphone = await kit.Delivery.SendAsync(fcmOnly, kit.Message(fcmOnly), new PushTarget("a-2", "ios", ApnsFake.NewDeviceToken()), CancellationToken.None);

        Assert.Equal(("a-1", (string?)null, PushErrorCodes.NotConfigured), (android.UserAuthenticatorId, android.Provider, android.ErrorCode));
        Assert.Equal(("a-2", (string?)null, PushErrorCodes.NotConfigured), (iphone.UserAuthenticatorId, iphone.Provider, iphone.ErrorCode));
        Assert.False(android.TokenDead || iphone.TokenDead);
        Assert.Empty(_apns.Received);
        Assert.Empty(_fcm.Received);
        Assert.Equal(0, _fcm.TokenRequests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task A_device_without_a_push_token_gets_push_token_missing(string? token)
    {
        await using var kit = PushKit.For(_clock, _apns, _fcm);
        var tenant = PushKit.Tenant(_apns, _fcm);

        var result = await kit.Delivery.SendAsync(tenant, kit.Message(tenant), new PushTarget("a-1", "ios", token), CancellationToken.None);

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.TokenMissing), (result.Result.Status, result.ErrorCode));
        Assert.Empty(_apns.Received);
    }

    [Fact]
    public async Task Sends_beyond_the_services_bound_wait_for_a_slot_and_all_arrive()
    {
        await using var kit = PushKit.For(_clock, _apns, _fcm, ("Push:Apns:MaxConcurrentSends", "2"));
        var tenant = PushKit.Tenant(_apns, _fcm);
        _apns.Hold();

        var sends = Enumerable.Range(0, 5)
            .Select(i => kit.Delivery.SendAsync(tenant, kit.Message(tenant), new PushTarget($"a-{i}", "ios", ApnsFake.NewDeviceToken()), CancellationToken.None))
            .ToList();
        // Two in flight at APNs, three held back by the bound (not by the connection: HTTP/2 would carry them all).
        await PushServiceFake.WaitUntilAsync(() => _apns.InFlight == 2 && kit.Direct.Waiting("apns") == 3, "two are in flight and three wait");
        // FCM has its own bound: an Android device is not held up behind APNs.
        var android = await kit.Delivery.SendAsync(tenant, kit.Message(tenant), new PushTarget("a-android", "android", FcmFake.NewDeviceToken()), CancellationToken.None);
        _apns.Release();
        var results = await Task.WhenAll(sends);

        Assert.True(android.Delivered);
        Assert.All(results, r => Assert.True(r.Delivered));
        Assert.Equal(5, _apns.Received.Count);
        Assert.Equal(2, _apns.PeakInFlight);
        Assert.Equal(0, kit.Direct.Waiting("apns"));
    }

    [Fact]
    public async Task A_send_still_waiting_for_a_slot_when_the_challenge_expires_ends_as_a_provider_error()
    {
        await using var kit = PushKit.For(_clock, _apns, _fcm, ("Push:Apns:MaxConcurrentSends", "1"));
        var tenant = PushKit.Tenant(_apns, _fcm);
        _apns.Hold();
        var first = kit.Delivery.SendAsync(tenant, kit.Message(tenant), new PushTarget("a-1", "ios", ApnsFake.NewDeviceToken()), CancellationToken.None);
        await PushServiceFake.WaitUntilAsync(() => _apns.InFlight == 1, "the first is in flight");
        var second = kit.Delivery.SendAsync(tenant, kit.Message(tenant, lifetime: TimeSpan.FromSeconds(30)), new PushTarget("a-2", "ios", ApnsFake.NewDeviceToken()), CancellationToken.None);
        await PushServiceFake.WaitUntilAsync(() => kit.Direct.Waiting("apns") == 1, "the second waits");

        _clock.Advance(TimeSpan.FromSeconds(30));
        var late = await second;
        _apns.Release();
        await first;

        Assert.Equal((PushSendStatus.Failed, PushErrorCodes.ProviderError, "ChallengeExpired"), (late.Result.Status, late.ErrorCode, late.Result.Reason));
        Assert.Single(_apns.Received);
    }
}
