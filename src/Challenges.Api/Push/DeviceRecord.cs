namespace Challenges.Api.Push;

/// <summary>
/// The index from a device credential (its public key) to the authenticator it belongs to, under
/// <c>StoreKeys.Device</c>. Durable; deleting the authenticator or the user deletes it.
/// </summary>
public sealed record DeviceRecord(string UserId, string AuthenticatorId, string PublicKey);

/// <summary>The push challenge waiting for one device, under <c>StoreKeys.DevicePending</c>.</summary>
public sealed record PendingPointer(string ChallengeId, DateTimeOffset ExpiresAt);

/// <summary>A single-use device nonce (rows 3 and 7), bound to the key it was issued to.</summary>
public sealed record DeviceNonce(string KeyId, string Message, DateTimeOffset ExpiresAt);
