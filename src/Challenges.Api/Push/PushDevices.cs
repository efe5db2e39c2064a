using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Push;

/// <summary>
/// Device credentials (rows 1–3 and 6–8 of CONTRACT.md 3.3). A credential's identity is its public key: the
/// device index (<c>StoreKeys.Device</c>, by the key's SHA-256) names the user and authenticator; the authenticator
/// itself lives in the user document. A credential expires after the tenant's <c>Push__CredentialLifetime</c> unless it
/// is used: answering a challenge or a signed update with <c>resetExpiry</c> starts the lifetime again.
/// </summary>
public sealed partial class PushDevices(PushStore push, UserStore users, UserService userService, ActionStore actions, RateLimiter limiter,
    ConflictRetry retry, TimeProvider time, ILogger<PushDevices> logger)
{
    /// <summary>Nonces of rows 3 and 7 are single use and live this long.</summary>
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(2);

    private IStateStore Store => push.Store;

    /// <summary>
    /// Row 1, under the rules of every enrolment (<see cref="EnrolmentPolicy"/>): the token's action must accept a
    /// challenge, its user must not have been deleted since, adding to an enrolled user needs <c>add:authenticators</c>,
    /// and the user's push devices are capped. The same key again for the same user returns the same authenticator; a
    /// key that belongs to another user is refused.
    /// </summary>
    public async Task<Outcome<AddPushCredentialResponse>> AddAsync(Tenant tenant, ClientToken token, AddPushCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(request);
        var action = tenant.Allows(VerificationMethods.Push)
            ? await actions.GetAsync(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey)
            : null;
        if (EnrolmentPolicy.CheckAction(tenant, VerificationMethods.Push, action) is { } refused)
        {
            return refused;
        }
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey)!;
        var keyId = DeviceKeys.KeyId(publicKey);
        var deviceKey = StoreKeys.Device(tenant.Id, keyId);
        return await retry.RunAsync<Outcome<AddPushCredentialResponse>>("adding a push credential", async _ =>
        {
            var deviceRead = push.ReadDeviceAsync(tenant.Id, keyId);
            var userRead = users.GetAsync(tenant.Id, token.UserId);
            await Task.WhenAll(deviceRead, userRead);
            var existing = deviceRead.Result;
            var user = userRead.Result;
            if (existing is { Value: var owner })
            {
                if (owner.UserId == token.UserId && user.Find(owner.AuthenticatorId) is { } mine)
                {
                    return (Outcome<AddPushCredentialResponse>)Added(mine, token.UserId);
                }
                if (owner.UserId != token.UserId && (await users.GetAsync(tenant.Id, owner.UserId)).Find(owner.AuthenticatorId) is not null)
                {
                    return (Outcome<AddPushCredentialResponse>)ApiError.InvalidCredential("This device key is registered to another user.");
                }
                // Otherwise the index is left over from an authenticator that is gone or expired: the key is free again.
            }
            if (user.Authenticators.FirstOrDefault(a => a.VerificationMethod == VerificationMethods.Push && a.PublicKey == publicKey) is { } same)
            {
                // The user already has this key (a concurrent registration between its two writes, or one that
                // stopped there): finish it by pointing the index at it.
                var finish = new DeviceRecord(token.UserId, same.Id, publicKey, same.ExpiresAt);
                if (await Store.CommitAsync([WriteIndex(deviceKey, existing, finish)]))
                {
                    return (Outcome<AddPushCredentialResponse>)Added(same, token.UserId);
                }
                return Attempt.Conflict<Outcome<AddPushCredentialResponse>>();
            }
            if (EnrolmentPolicy.CheckUser(tenant, user, token, action!, VerificationMethods.Push, adding: true) is { } refusal)
            {
                return (Outcome<AddPushCredentialResponse>)refusal;
            }

            var now = time.GetUtcNow();
            var authenticator = new AuthenticatorRecord
            {
                Id = Ids.New(),
                VerificationMethod = VerificationMethods.Push,
                CreatedAt = now,
                VerifiedAt = now,
                PublicKey = publicKey,
                DevicePlatform = PushPlatforms.Normalize(request.DevicePlatform),
                PushToken = request.PushToken,
                DisplayName = request.DeviceName,
                ExpiresAt = now + tenant.Options.Push.CredentialLifetime,
            };
            // The authenticator first, then the key's index: a registration that loses the key to a concurrent one
            // takes its authenticator back and answers with the winner's, so the same key never makes two.
            var refusedNow = false;
            await users.UpdateAsync(tenant.Id, token.UserId, u =>
            {
                // Checked again on the document being written: a concurrent enrolment may have won, or filled the cap.
                refusedNow = EnrolmentPolicy.CheckUser(tenant, u, token, action!, VerificationMethods.Push, adding: true) is not null;
                return refusedNow ? null : UserService.WithAuthenticator(u, authenticator);
            });
            if (refusedNow)
            {
                // Look again: the enrolment that won may be this very key (then it is returned), else the refusal.
                return Attempt.Conflict<Outcome<AddPushCredentialResponse>>();
            }
            var index = new DeviceRecord(token.UserId, authenticator.Id, publicKey, authenticator.ExpiresAt);
            if (await Store.CommitAsync([WriteIndex(deviceKey, existing, index)]))
            {
                LogAdded(logger, tenant.Id, authenticator.Id);
                return (Outcome<AddPushCredentialResponse>)Added(authenticator, token.UserId);
            }
            if ((await push.ReadDeviceAsync(tenant.Id, keyId))?.Value.AuthenticatorId == authenticator.Id)
            {
                // A concurrent registration of the same key finished this one for us.
                return (Outcome<AddPushCredentialResponse>)Added(authenticator, token.UserId);
            }
            await users.UpdateAsync(tenant.Id, token.UserId, u => u.Find(authenticator.Id) is null
                ? null
                : u with { Authenticators = u.Authenticators.Where(a => a.Id != authenticator.Id).ToList() });
            return Attempt.Conflict<Outcome<AddPushCredentialResponse>>();
        });
    }

    private static AddPushCredentialResponse Added(AuthenticatorRecord a, string userId) =>
        new(a.Id, userId, a.VerifiedAt ?? a.CreatedAt, a.ExpiresAt);

    /// <summary>Writes the device index over what was read (<paramref name="current"/>, or nothing), with its time to live.</summary>
    private StateChange WriteIndex(string deviceKey, Stored<DeviceRecord>? current, DeviceRecord next)
    {
        var json = StoreJson.Write(next);
        var ttl = PushStore.DeviceRetention(next, time.GetUtcNow());
        return current is null ? StateChange.PutIfAbsent(deviceKey, json, ttl) : StateChange.Replace(deviceKey, current.Raw, json, ttl);
    }

    /// <summary>Row 2: the credential's authenticator.</summary>
    public async Task<Outcome<PushCredentialResponse>> GetAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var found = await FindAsync(tenant, DeviceCrypto.DecodeQueryKey(queryKey));
        if (found is not { } f)
        {
            return PushService.UnknownCredential();
        }
        var a = f.Authenticator;
        return new PushCredentialResponse(a.Id, f.Device.UserId, a.VerifiedAt, a.LastVerifiedAt, a.ExpiresAt);
    }

    private async Task<(DeviceRecord Device, AuthenticatorRecord Authenticator)?> FindAsync(Tenant tenant, string? publicKey)
    {
        if (publicKey is null || await push.ReadLiveDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey), time.GetUtcNow()) is not { Value: var device })
        {
            return null;
        }
        var user = await users.GetAsync(tenant.Id, device.UserId);
        return user.Find(device.AuthenticatorId) is { } authenticator ? (device, authenticator) : null;
    }

    /// <summary>
    /// The live credential of a query key for rows 3 and 7, counted against the key's nonce limit: each nonce is a key
    /// in the store, so a device (or anyone who knows its public key) cannot ask for them without bound.
    /// </summary>
    private async Task<Outcome<DeviceRecord>> NonceFor(Tenant tenant, string? queryKey)
    {
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey ||
            await push.ReadLiveDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey), time.GetUtcNow()) is not { Value: var device })
        {
            return PushService.UnknownCredential();
        }
        return await limiter.HitAsync(tenant, RateRule.DeviceNonces, DeviceKeys.KeyId(device.PublicKey)) is { } limited ? limited : device;
    }

    /// <summary>Row 3: a fresh nonce for a signed get-pending; it replaces the device's previous one.</summary>
    public async Task<Outcome<DeviceMessageResponse>> NewPendingNonceAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var found = await NonceFor(tenant, queryKey);
        if (found.Value is not { } device)
        {
            return found.Error!;
        }
        var keyId = DeviceKeys.KeyId(device.PublicKey);
        var nonce = new DeviceNonce(keyId, Ids.NewNonce(), time.GetUtcNow() + NonceLifetime);
        await Store.CommitAsync([StateChange.Put(StoreKeys.DeviceNonce(tenant.Id, keyId), StoreJson.Write(nonce), NonceLifetime)]);
        return new DeviceMessageResponse(nonce.Message);
    }

    /// <summary>Row 6: removes the credential, signed over the current or previous ten-minute window.</summary>
    public async Task<Outcome<RemovePushCredentialResponse>> RemoveAsync(Tenant tenant, RemovePushCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey);
        if (publicKey is null || await push.ReadLiveDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey), now) is not { Value: var device })
        {
            return PushService.UnknownCredential();
        }
        if (!DeviceCrypto.VerifyTimeWindow(publicKey, request.Signature, now))
        {
            return ApiError.InvalidCredential("The signature does not verify over the current or previous time window.");
        }
        // Deleting the authenticator deletes its device keys; delete them here as well in case it was already gone.
        await userService.DeleteAuthenticatorAsync(tenant, device.UserId, device.AuthenticatorId);
        var keyId = DeviceKeys.KeyId(publicKey);
        await Store.CommitAsync([
            StateChange.Delete(StoreKeys.Device(tenant.Id, keyId)),
            StateChange.Delete(StoreKeys.DevicePending(tenant.Id, keyId)),
            StateChange.Delete(StoreKeys.DeviceNonce(tenant.Id, keyId)),
        ]);
        LogRemoved(logger, tenant.Id, device.AuthenticatorId);
        return new RemovePushCredentialResponse(device.AuthenticatorId);
    }

    /// <summary>Row 7: a single-use message for a signed credential update, named by a fresh id.</summary>
    public async Task<Outcome<SignMessageResponse>> NewUpdateNonceAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var found = await NonceFor(tenant, queryKey);
        if (found.Value is not { } device)
        {
            return found.Error!;
        }
        var id = Ids.New();
        var nonce = new DeviceNonce(DeviceKeys.KeyId(device.PublicKey), Ids.NewNonce(), time.GetUtcNow() + NonceLifetime);
        await Store.CommitAsync([StateChange.PutIfAbsent(StoreKeys.Nonce(tenant.Id, id), StoreJson.Write(nonce), NonceLifetime)]);
        return new SignMessageResponse(id, nonce.Message);
    }

    /// <summary>
    /// Row 8: a signed update of the push token; it records the credential as verified now and, with
    /// <c>resetExpiry</c>, starts its lifetime again.
    /// </summary>
    public async Task<Outcome<UpdatePushCredentialResponse>> UpdateAsync(Tenant tenant, UpdatePushCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey);
        if (publicKey is null)
        {
            return PushService.UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(publicKey);
        var nonceKey = StoreKeys.Nonce(tenant.Id, request.ChallengeId!);
        var now = time.GetUtcNow();
        var deviceRead = push.ReadLiveDeviceAsync(tenant.Id, keyId, now);
        var nonceRead = Store.GetAsync(nonceKey);
        await Task.WhenAll(deviceRead, nonceRead);
        if (deviceRead.Result is not { } device)
        {
            return PushService.UnknownCredential();
        }
        if (PushStore.Parse<DeviceNonce>(nonceRead.Result) is not { } nonce || nonce.KeyId != keyId || now >= nonce.ExpiresAt)
        {
            return ApiError.InvalidCredential("challengeId: unknown, already used or expired; ask for a new message.");
        }
        if (!DeviceCrypto.Verify(publicKey, nonce.Message, request.Signature))
        {
            return ApiError.InvalidCredential("The signature does not verify with this credential.");
        }
        if (!await Store.CommitAsync([StateChange.DeleteIfEqual(nonceKey, nonceRead.Result!)]))
        {
            return ApiError.InvalidCredential("challengeId: already used; ask for a new message.");
        }
        var updated = await ChangeAsync(tenant, device, a => a with { PushToken = request.PushToken ?? a.PushToken, LastVerifiedAt = now },
            request.ResetExpiry == true, now);
        if (updated is null)
        {
            return PushService.UnknownCredential();
        }
        return new UpdatePushCredentialResponse(updated.Id, device.Value.UserId, now, updated.PushToken, updated.ExpiresAt);
    }

    /// <summary>
    /// A signed answer is a use of the credential: it starts the lifetime again, at most once per hundredth of the
    /// lifetime (under a day by default), so that answers seldom cost a write.
    /// </summary>
    public Task RenewOnUseAsync(Tenant tenant, string deviceRaw)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var now = time.GetUtcNow();
        var lifetime = tenant.Options.Push.CredentialLifetime;
        return PushStore.Parse<DeviceRecord>(deviceRaw) is { } device && (device.ExpiresAt is not { } at || at - now < lifetime - lifetime / 100)
            ? ChangeAsync(tenant, new Stored<DeviceRecord>(device, deviceRaw), a => a, resetExpiry: true, now)
            : Task.CompletedTask;
    }

    /// <summary>
    /// Changes the credential's authenticator; with <paramref name="resetExpiry"/> it expires a lifetime from now, on
    /// the authenticator and on the device index's copy. Null when the authenticator is gone.
    /// </summary>
    private async Task<AuthenticatorRecord?> ChangeAsync(Tenant tenant, Stored<DeviceRecord> device,
        Func<AuthenticatorRecord, AuthenticatorRecord> change, bool resetExpiry, DateTimeOffset now)
    {
        var expiresAt = now + tenant.Options.Push.CredentialLifetime;
        AuthenticatorRecord? updated = null;
        await users.UpdateAsync(tenant.Id, device.Value.UserId, u =>
        {
            updated = u.Find(device.Value.AuthenticatorId) is { } a ? change(a) with { ExpiresAt = resetExpiry ? expiresAt : a.ExpiresAt } : null;
            return updated is null ? null : UserService.WithAuthenticator(u, updated);
        });
        if (updated is not null && resetExpiry)
        {
            // Compare-and-set on the index as read: if it changed meanwhile (removed, re-registered), that write stands.
            var key = StoreKeys.Device(tenant.Id, DeviceKeys.KeyId(device.Value.PublicKey));
            await Store.CommitAsync([WriteIndex(key, device, device.Value with { ExpiresAt = expiresAt })]);
        }
        return updated;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} added for tenant {TenantId}")]
    private static partial void LogAdded(ILogger logger, string tenantId, string authenticatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} removed by its device for tenant {TenantId}")]
    private static partial void LogRemoved(ILogger logger, string tenantId, string authenticatorId);
}
