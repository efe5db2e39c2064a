using Challenges.Api.Http;
using Challenges.Api.Storage;

namespace Challenges.Api.Users;

/// <summary>
/// The device half of the user aggregate. A push credential's identity is its public key: its index (by the key's
/// SHA-256, in a slot of its own) names the user and authenticator and carries the credential's expiry; beside it sit
/// the push challenge the device shows and the device's latest get-pending nonce. Signing messages for credential
/// updates (device API row 7) are single-use nonces in slots of their own. Every key of a credential is deleted in one
/// place, <c>RemoveDeviceKeysAsync</c>.
/// </summary>
public sealed partial class UserStore
{
    /// <summary>Nonces of device API rows 3 and 7 are single use and live this long.</summary>
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(2);

    private static string DeviceTag(string tenantId, string keyId) => HashTags.Own(tenantId, keyId);

    /// <summary>A push credential's index, by the SHA-256 of its public key.</summary>
    internal static string DeviceKeyOf(string tenantId, string keyId) => $"d:{DeviceTag(tenantId, keyId)}";

    private static string ShownKeyOf(string tenantId, string keyId) => $"d:{DeviceTag(tenantId, keyId)}:pending";

    private static string NonceKeyOf(string tenantId, string keyId) => $"d:{DeviceTag(tenantId, keyId)}:nonce";

    private static string UpdateNonceKeyOf(string tenantId, string id) => $"n:{HashTags.Own(tenantId, HashTags.Escape(id))}";

    /// <summary>The index's time to live: past the credential's expiry, which is what decides.</summary>
    private TimeSpan? DeviceTtl(DeviceRecord device)
    {
        if (device.ExpiresAt is not { } at)
        {
            return null;
        }
        var ttl = at + TimeSpan.FromMinutes(1) - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    private StateChange WriteIndex(string tenantId, Stored<DeviceRecord>? current, DeviceRecord next) =>
        StateChange.Over(DeviceKeyOf(tenantId, DeviceKeys.KeyId(next.PublicKey)), current?.Raw, StoreJson.Write(next), DeviceTtl(next));

    /// <summary>The device key's index, the challenge it shows and its nonce, in one read.</summary>
    public async Task<DeviceState> ReadDeviceAsync(string tenantId, string keyId)
    {
        var raws = await store.GetManyAsync([DeviceKeyOf(tenantId, keyId), ShownKeyOf(tenantId, keyId), NonceKeyOf(tenantId, keyId)]);
        var index = StoreJson.ReadOrNull<DeviceRecord>(raws[0]) is { } device ? new Stored<DeviceRecord>(device, raws[0]) : null;
        return new DeviceState(index, raws[1], raws[2]);
    }

    /// <summary>
    /// Registers a push credential for <paramref name="userId"/> under <paramref name="check"/> (the enrolment rules,
    /// applied to the user document the authenticator is written into): the authenticator first, then the key's index,
    /// so a registration that loses the key to a concurrent one takes its authenticator back and answers with the
    /// winner's, and the same key never makes two. The same key again for the same user returns its authenticator
    /// (<c>Added</c> false); a key that belongs to another user is refused; an index left over from an authenticator that
    /// is gone or expired is taken over.
    /// </summary>
    public Task<Outcome<(AuthenticatorRecord Authenticator, bool Added)>> AddDeviceAsync(string tenantId, string userId,
        AuthenticatorRecord authenticator, Func<UserRecord, ApiError?> check)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(check);
        var publicKey = authenticator.PublicKey!;
        var keyId = DeviceKeys.KeyId(publicKey);
        return retry.RunAsync<Outcome<(AuthenticatorRecord, bool)>>("adding a push credential", async _ =>
        {
            var deviceRead = ReadDeviceAsync(tenantId, keyId);
            var userRead = GetAsync(tenantId, userId);
            await Task.WhenAll(deviceRead, userRead);
            var existing = deviceRead.Result.Index;
            var user = userRead.Result;
            if (existing is { Value: var owner })
            {
                if (owner.UserId == userId && user.Find(owner.AuthenticatorId) is { } mine)
                {
                    return Done((mine, false));
                }
                if (owner.UserId != userId && (await GetAsync(tenantId, owner.UserId)).Find(owner.AuthenticatorId) is not null)
                {
                    return Done(ApiError.InvalidCredential("This device key is registered to another user."));
                }
            }
            if (user.Authenticators.FirstOrDefault(a => a.PublicKey == publicKey) is { } same)
            {
                // The user already has this key (a concurrent registration between its two writes, or one that stopped
                // there): finish it by pointing the index at it.
                var finish = new DeviceRecord(userId, same.Id, publicKey, same.ExpiresAt);
                return await store.CommitAsync([WriteIndex(tenantId, existing, finish)]) ? Done((same, false)) : Lost();
            }
            if (check(user) is { } refusal)
            {
                return Done(refusal);
            }
            // Checked again on the document being written: a concurrent enrolment may have won, or filled the cap. Then
            // the next attempt looks again: the enrolment that won may be this very key.
            var refusedNow = false;
            await UpdateAsync(tenantId, userId, u =>
            {
                refusedNow = check(u) is not null;
                return refusedNow ? null : u.With(authenticator);
            });
            if (refusedNow)
            {
                return Lost();
            }
            if (await store.CommitAsync([WriteIndex(tenantId, existing, new DeviceRecord(userId, authenticator.Id, publicKey, authenticator.ExpiresAt))]) ||
                (await ReadDeviceAsync(tenantId, keyId)).Index?.Value.AuthenticatorId == authenticator.Id)
            {
                return Done((authenticator, true));
            }
            await UpdateAsync(tenantId, userId, u => u.Find(authenticator.Id) is null ? null : u.Without(authenticator.Id));
            return Lost();
        });

        static Attempt<Outcome<(AuthenticatorRecord, bool)>> Done(Outcome<(AuthenticatorRecord, bool)> outcome) => outcome;
        static Attempt<Outcome<(AuthenticatorRecord, bool)>> Lost() => Attempt.Conflict<Outcome<(AuthenticatorRecord, bool)>>();
    }

    /// <summary>
    /// Changes a credential's authenticator; with <paramref name="expiresAt"/> it expires then, on the authenticator and
    /// on the index's copy (a compare-and-set on the index as read: if it changed meanwhile, removed or registered
    /// again, that write stands). Null when the authenticator is gone.
    /// </summary>
    public async Task<AuthenticatorRecord?> ChangeDeviceAsync(string tenantId, Stored<DeviceRecord> device,
        Func<AuthenticatorRecord, AuthenticatorRecord> change, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(change);
        AuthenticatorRecord? updated = null;
        await UpdateAsync(tenantId, device.Value.UserId, u =>
        {
            updated = u.Find(device.Value.AuthenticatorId) is { } a ? change(a) with { ExpiresAt = expiresAt ?? a.ExpiresAt } : null;
            return updated is null ? null : u.With(updated);
        });
        if (updated is not null && expiresAt is not null)
        {
            await store.CommitAsync([WriteIndex(tenantId, device, device.Value with { ExpiresAt = expiresAt })]);
        }
        return updated;
    }

    /// <summary>
    /// Records the push token a device registers with its credential again; no write when it is the one stored already.
    /// </summary>
    public Task SetPushTokenAsync(string tenantId, string userId, string authenticatorId, string pushToken) =>
        UpdateAsync(tenantId, userId, u => u.Find(authenticatorId) is { } a && a.PushToken != pushToken ? u.With(a with { PushToken = pushToken }) : null);

    /// <summary>
    /// Forgets a push token its push service called dead, by a compare-and-set on the token: when the device has
    /// registered another one since, that newer token stays. True when the dead token was dropped.
    /// </summary>
    public async Task<bool> DropPushTokenAsync(string tenantId, string userId, string authenticatorId, string deadToken)
    {
        var dropped = false;
        await UpdateAsync(tenantId, userId, u =>
        {
            var device = u.Find(authenticatorId);
            dropped = device is not null && device.PushToken == deadToken;
            return dropped ? u.With(device! with { PushToken = null }) : null;
        });
        return dropped;
    }

    /// <summary>Removes one authenticator, with its device keys when it is a push credential; the one removed, or null when there was none.</summary>
    public async Task<AuthenticatorRecord?> RemoveAuthenticatorAsync(string tenantId, string userId, string authenticatorId)
    {
        AuthenticatorRecord? removed = null;
        await UpdateAsync(tenantId, userId, user =>
        {
            removed = user.Find(authenticatorId);
            return removed is null ? null : user.Without(authenticatorId);
        });
        if (removed is not null)
        {
            await RemoveDeviceKeysAsync(tenantId, [removed]);
        }
        return removed;
    }

    /// <summary>Every key of each push credential among <paramref name="authenticators"/>: one commit per key's slot, sent together.</summary>
    public Task RemoveDeviceKeysAsync(string tenantId, IEnumerable<AuthenticatorRecord> authenticators) =>
        Task.WhenAll(authenticators.Select(a => a.PublicKey).OfType<string>().Select(k => RemoveDeviceKeysAsync(tenantId, DeviceKeys.KeyId(k))));

    public Task RemoveDeviceKeysAsync(string tenantId, string keyId) => store.CommitAsync(
    [
        StateChange.Delete(DeviceKeyOf(tenantId, keyId)),
        StateChange.Delete(ShownKeyOf(tenantId, keyId)),
        StateChange.Delete(NonceKeyOf(tenantId, keyId)),
    ]);

    /// <summary>Points each device at the push challenge it now shows (one command per device's slot, sent together).</summary>
    public Task ShowAsync(string tenantId, IEnumerable<string> keyIds, PendingPointer shown, TimeSpan ttl)
    {
        ArgumentNullException.ThrowIfNull(shown);
        var json = StoreJson.Write(shown);
        return Task.WhenAll(keyIds.Select(k => store.CommitAsync([StateChange.Put(ShownKeyOf(tenantId, k), json, ttl)])));
    }

    /// <summary>The device no longer shows the challenge it was read to show (unless it shows another one by now).</summary>
    public Task HideAsync(string tenantId, string keyId, string shownRaw) =>
        store.CommitAsync([StateChange.DeleteIfEqual(ShownKeyOf(tenantId, keyId), shownRaw)]);

    /// <summary>Device API row 3: a fresh nonce for a signed get-pending; it replaces the device's previous one.</summary>
    public async Task<DeviceNonce> IssueNonceAsync(string tenantId, string keyId)
    {
        var nonce = new DeviceNonce(keyId, Ids.NewNonce(), time.GetUtcNow() + NonceLifetime);
        await store.CommitAsync([StateChange.Put(NonceKeyOf(tenantId, keyId), StoreJson.Write(nonce), NonceLifetime)]);
        return nonce;
    }

    /// <summary>Uses up the get-pending nonce as read; false when it was used (or replaced) meanwhile.</summary>
    public Task<bool> ConsumeNonceAsync(string tenantId, string keyId, string nonceRaw) =>
        store.CommitAsync([StateChange.DeleteIfEqual(NonceKeyOf(tenantId, keyId), nonceRaw)]);

    /// <summary>Device API row 7: a single-use message for a signed credential update, named by a fresh id.</summary>
    public async Task<(string Id, DeviceNonce Nonce)> IssueUpdateNonceAsync(string tenantId, string keyId)
    {
        var id = Ids.New();
        var nonce = new DeviceNonce(keyId, Ids.NewNonce(), time.GetUtcNow() + NonceLifetime);
        await store.CommitAsync([StateChange.PutIfAbsent(UpdateNonceKeyOf(tenantId, id), StoreJson.Write(nonce), NonceLifetime)]);
        return (id, nonce);
    }

    /// <summary>The update message <paramref name="id"/> as stored, null when unknown, used or expired.</summary>
    public async Task<Stored<DeviceNonce>?> ReadUpdateNonceAsync(string tenantId, string id)
    {
        var raw = await store.GetAsync(UpdateNonceKeyOf(tenantId, id));
        return StoreJson.ReadOrNull<DeviceNonce>(raw) is { } nonce ? new Stored<DeviceNonce>(nonce, raw) : null;
    }

    /// <summary>Uses up an update message as read; false when another request used it first.</summary>
    public Task<bool> ConsumeUpdateNonceAsync(string tenantId, string id, Stored<DeviceNonce> nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        return store.CommitAsync([StateChange.DeleteIfEqual(UpdateNonceKeyOf(tenantId, id), nonce.Raw!)]);
    }
}
