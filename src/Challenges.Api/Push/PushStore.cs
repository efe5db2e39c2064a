using System.Text.Json;
using Challenges.Api.Storage;

namespace Challenges.Api.Push;

/// <summary>Reads of push documents that tolerate foreign or damaged values (they read as absent).</summary>
public sealed class PushStore(IStateStore store)
{
    public IStateStore Store => store;

    public static T? Parse<T>(string? raw) where T : class
    {
        if (raw is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(raw, Http.JsonDefaults.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A push challenge with its raw text for compare-and-set; null when absent or not a push challenge.</summary>
    public async Task<Stored<PushChallengeRecord>?> ReadChallengeAsync(string tenantId, string challengeId)
    {
        var raw = await store.GetAsync(StoreKeys.Challenge(tenantId, challengeId));
        return Parse<PushChallengeRecord>(raw) is { IsPush: true } challenge && challenge.Id == challengeId
            ? new Stored<PushChallengeRecord>(challenge, raw!)
            : null;
    }

    /// <summary>The device index of a key as stored, expired or not (a registration may take over an expired one).</summary>
    public async Task<Stored<DeviceRecord>?> ReadDeviceAsync(string tenantId, string keyId)
    {
        var raw = await store.GetAsync(StoreKeys.Device(tenantId, keyId));
        return Parse<DeviceRecord>(raw) is { } device ? new Stored<DeviceRecord>(device, raw!) : null;
    }

    /// <summary>The credential of a key, unless it is unknown or expired (then it is no credential at all).</summary>
    public async Task<Stored<DeviceRecord>?> ReadLiveDeviceAsync(string tenantId, string keyId, DateTimeOffset now) =>
        await ReadDeviceAsync(tenantId, keyId) is { } device && !device.Value.IsExpiredAt(now) ? device : null;

    /// <summary>A device index read with others, unless it is absent, damaged or expired.</summary>
    public static DeviceRecord? LiveDevice(string? raw, DateTimeOffset now) =>
        Parse<DeviceRecord>(raw) is { } device && !device.IsExpiredAt(now) ? device : null;

    /// <summary>The device index's time to live: past the credential's expiry, which is what decides.</summary>
    public static TimeSpan? DeviceRetention(DeviceRecord device, DateTimeOffset now) =>
        device.ExpiresAt is { } at ? Max(at + TimeSpan.FromMinutes(1) - now, TimeSpan.FromSeconds(1)) : null;

    /// <summary>How long a challenge document is kept: past its expiry, so late polls still learn the outcome.</summary>
    public static TimeSpan Retention(PushChallengeRecord challenge, DateTimeOffset now) =>
        Max(challenge.ExpiresAt + TimeSpan.FromMinutes(10) - now, TimeSpan.FromSeconds(1));

    public static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
