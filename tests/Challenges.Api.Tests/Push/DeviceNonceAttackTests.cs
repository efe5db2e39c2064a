using System.Net;
using Challenges.Api.Tests.Infrastructure;
using Challenges.Api.Tests.Reliability;
using Challenges.Device;

namespace Challenges.Api.Tests.Push;

/// <summary>
/// The device nonce endpoints (rows 3 and 7) store a key per call: against a real server process, a caller who knows
/// a device's public key cannot make them without bound.
/// </summary>
public sealed class DeviceNonceAttackTests : ServerProcessTest
{
    // The default 60 nonces per device, in a window of a day so that no window ends during the test.
    protected override (string Key, string Value)[] Settings => [("Tenants:0:Limits:DeviceNonceWindow", "1.00:00:00")];

    private async Task<DeviceClient> EnrolAsync()
    {
        var token = (await Server.Client(TestTenants.AKey).PostJson($"/v1/users/{ApiFixture.NewUserId()}/actions/signIn", new { }).Ok()).Str("token");
        var device = Server.NewDevice(TestTenants.A);
        await device.AddCredentialAsync(token, "Phone", "android");
        return device;
    }

    [Fact]
    public async Task Nonces_for_one_device_key_are_rate_limited_and_their_keys_stay_bounded()
    {
        var device = await EnrolAsync();
        using var anyone = Server.Client();
        anyone.DefaultRequestHeaders.Authorization = new("Basic", device.BasicAuthorization);
        for (var i = 0; i < 60; i++)
        {
            var path = i % 2 == 0 ? "/v1/client/user-authenticators/push/sign" : "/v1/client/user-authenticators/push/challenge/sign";
            await anyone.PostAsync($"{path}?publicKey={device.QueryKey}", null).Ok();
        }
        await anyone.PostAsync($"/v1/client/user-authenticators/push/sign?publicKey={device.QueryKey}", null)
            .Error(HttpStatusCode.TooManyRequests, "too_many_requests");
        await anyone.PostAsync($"/v1/client/user-authenticators/push/challenge/sign?publicKey={device.QueryKey}", null)
            .Error(HttpStatusCode.TooManyRequests, "too_many_requests");

        await using var redis = await RedisInspector.ConnectAsync(Redis.Configuration);
        Assert.Equal(30, redis.Keys($"n:{{{TestTenants.A}:*}}").Count);
        // Another device is not held back.
        await (await EnrolAsync()).GetPendingAsync();
    }
}
