using Challenges.Api.Storage;

namespace Challenges.Api.Users;

/// <summary>What is stored for one device key, read together in one command (one slot).</summary>
/// <param name="Index">The credential's index, expired or not; null when the key is unknown.</param>
/// <param name="ShownRaw">The pointer to the push challenge the device shows, as stored.</param>
/// <param name="NonceRaw">The latest get-pending nonce issued to the device, as stored.</param>
public sealed record DeviceState(Stored<DeviceRecord>? Index, string? ShownRaw, string? NonceRaw)
{
    /// <summary>The credential, unless it is unknown or expired (then it is no credential at all).</summary>
    public DeviceRecord? LiveAt(DateTimeOffset now) => Index is { Value: var device } && !device.IsExpiredAt(now) ? device : null;

    public PendingPointer? Shown => StoreJson.ReadOrNull<PendingPointer>(ShownRaw);

    public DeviceNonce? Nonce => StoreJson.ReadOrNull<DeviceNonce>(NonceRaw);
}
