namespace Challenges.Api.Users;

/// <summary>
/// The index from a device credential (its public key) to the authenticator it belongs to, under
/// <c>StoreKeys.Device</c>. Deleting the authenticator or the user deletes it; it carries the credential's expiry
/// (a copy of the authenticator's, written with it) so device calls refuse an expired credential without reading the
/// user, and its time to live collects it after that.
/// </summary>
public sealed record DeviceRecord(string UserId, string AuthenticatorId, string PublicKey, DateTimeOffset? ExpiresAt = null)
{
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && now >= at;
}

/// <summary>The push challenge waiting for one device, under <c>StoreKeys.DevicePending</c>.</summary>
public sealed record PendingPointer(string ChallengeId, DateTimeOffset ExpiresAt);

/// <summary>A single-use device nonce (rows 3 and 7), bound to the key it was issued to.</summary>
public sealed record DeviceNonce(string KeyId, string Message, DateTimeOffset ExpiresAt);
