using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Push;

/// <summary>
/// Device credentials (rows 1–3 and 6–8 of CONTRACT.md 3.3). A credential's identity is its public key: the
/// device index (<c>StoreKeys.Device</c>, by the key's SHA-256) names the user and authenticator; the authenticator
/// itself lives in the user document.
/// </summary>
public sealed partial class PushDevices(PushStore push, UserStore users, UserService userService, TimeProvider time, ILogger<PushDevices> logger)
{
    /// <summary>Nonces of rows 3 and 7 are single use and live this long.</summary>
    public static readonly TimeSpan NonceLifetime = TimeSpan.FromMinutes(2);

    private const int MaxAttempts = 10;
    private IStateStore Store => push.Store;

    /// <summary>
    /// Row 1. The first authenticator of a user needs no scope; adding to an enrolled user needs
    /// <c>add:authenticators</c>. The same key again for the same user returns the same authenticator; a key that
    /// belongs to another user is refused.
    /// </summary>
    public async Task<Outcome<AddPushCredentialResponse>> AddAsync(Tenant tenant, ClientToken token, AddPushCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(request);
        if (!tenant.Allows(VerificationMethods.Push))
        {
            return ApiError.Invalid("PUSH is not enabled for this tenant.");
        }
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey)!;
        var keyId = DeviceKeys.KeyId(publicKey);
        var deviceKey = StoreKeys.Device(tenant.Id, keyId);
        var mayAdd = token.Has(Scopes.AddAuthenticators);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
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
                    return new AddPushCredentialResponse(mine.Id, token.UserId, mine.VerifiedAt ?? mine.CreatedAt);
                }
                if (owner.UserId != token.UserId && (await users.GetAsync(tenant.Id, owner.UserId)).Find(owner.AuthenticatorId) is not null)
                {
                    return ApiError.InvalidCredential("This device key is registered to another user.");
                }
                // Otherwise the index is left over from an authenticator that is gone: the key is free again.
            }
            if (user.Authenticators.FirstOrDefault(a => a.VerificationMethod == VerificationMethods.Push && a.PublicKey == publicKey) is { } same)
            {
                // The user already has this key (a concurrent registration between its two writes, or one that
                // stopped there): finish it by pointing the index at it.
                var finish = StoreJson.Write(new DeviceRecord(token.UserId, same.Id, publicKey));
                if (await Store.CommitAsync([existing is null ? StateChange.PutIfAbsent(deviceKey, finish) : StateChange.Replace(deviceKey, existing.Raw, finish)]))
                {
                    return new AddPushCredentialResponse(same.Id, token.UserId, same.VerifiedAt ?? same.CreatedAt);
                }
                continue;
            }
            if (user.IsEnrolled && !mayAdd)
            {
                return Forbidden();
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
            };
            // The authenticator first, then the key's index: a registration that loses the key to a concurrent one
            // takes its authenticator back and answers with the winner's, so the same key never makes two.
            var forbidden = false;
            await users.UpdateAsync(tenant.Id, token.UserId, u =>
            {
                // Checked again on the document being written: a concurrent first enrolment may have won.
                forbidden = u.IsEnrolled && !mayAdd;
                return forbidden ? null : UserService.WithAuthenticator(u, authenticator);
            });
            if (forbidden)
            {
                // Look again: the enrolment that won may be this very key (then it is returned), else 403.
                continue;
            }
            var index = StoreJson.Write(new DeviceRecord(token.UserId, authenticator.Id, publicKey));
            var claim = existing is null ? StateChange.PutIfAbsent(deviceKey, index) : StateChange.Replace(deviceKey, existing.Raw, index);
            if (await Store.CommitAsync([claim]))
            {
                LogAdded(logger, tenant.Id, authenticator.Id);
                return new AddPushCredentialResponse(authenticator.Id, token.UserId, now);
            }
            if ((await push.ReadDeviceAsync(tenant.Id, keyId))?.Value.AuthenticatorId == authenticator.Id)
            {
                // A concurrent registration of the same key finished this one for us.
                return new AddPushCredentialResponse(authenticator.Id, token.UserId, now);
            }
            await users.UpdateAsync(tenant.Id, token.UserId, u => u.Find(authenticator.Id) is null
                ? null
                : u with { Authenticators = u.Authenticators.Where(a => a.Id != authenticator.Id).ToList() });
        }
        throw new InvalidOperationException("Gave up adding a push credential after repeated conflicting writes.");
    }

    private static ApiError Forbidden() =>
        ApiError.Forbidden("Adding an authenticator to an enrolled user needs a token with the add:authenticators scope.");

    /// <summary>Row 2: the credential's authenticator.</summary>
    public async Task<Outcome<PushCredentialResponse>> GetAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var found = await FindAsync(tenant, DeviceCrypto.DecodeQueryKey(queryKey));
        if (found is not { } f)
        {
            return PushService.UnknownCredential();
        }
        return new PushCredentialResponse(f.Authenticator.Id, f.Device.UserId, f.Authenticator.VerifiedAt, f.Authenticator.LastVerifiedAt);
    }

    private async Task<(DeviceRecord Device, AuthenticatorRecord Authenticator)?> FindAsync(Tenant tenant, string? publicKey)
    {
        if (publicKey is null || await push.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey)) is not { Value: var device })
        {
            return null;
        }
        var user = await users.GetAsync(tenant.Id, device.UserId);
        return user.Find(device.AuthenticatorId) is { } authenticator ? (device, authenticator) : null;
    }

    /// <summary>Row 3: a fresh nonce for a signed get-pending; it replaces the device's previous one.</summary>
    public async Task<Outcome<DeviceMessageResponse>> NewPendingNonceAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey ||
            await push.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey)) is not { Value: var device })
        {
            return PushService.UnknownCredential();
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
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey);
        if (publicKey is null || await push.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey)) is not { Value: var device })
        {
            return PushService.UnknownCredential();
        }
        if (!DeviceCrypto.VerifyTimeWindow(publicKey, request.Signature, time.GetUtcNow()))
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
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey ||
            await push.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey)) is not { Value: var device })
        {
            return PushService.UnknownCredential();
        }
        var id = Ids.New();
        var nonce = new DeviceNonce(DeviceKeys.KeyId(device.PublicKey), Ids.NewNonce(), time.GetUtcNow() + NonceLifetime);
        await Store.CommitAsync([StateChange.PutIfAbsent(StoreKeys.Nonce(tenant.Id, id), StoreJson.Write(nonce), NonceLifetime)]);
        return new SignMessageResponse(id, nonce.Message);
    }

    /// <summary>Row 8: a signed update of the push token; it also records the credential as verified now.</summary>
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
        var deviceRead = push.ReadDeviceAsync(tenant.Id, keyId);
        var nonceRead = Store.GetAsync(nonceKey);
        await Task.WhenAll(deviceRead, nonceRead);
        if (deviceRead.Result is not { Value: var device })
        {
            return PushService.UnknownCredential();
        }
        var now = time.GetUtcNow();
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
        AuthenticatorRecord? updated = null;
        await users.UpdateAsync(tenant.Id, device.UserId, u =>
        {
            if (u.Find(device.AuthenticatorId) is not { } a)
            {
                updated = null;
                return null;
            }
            // Credentials do not expire here, so resetExpiry has nothing to reset.
            updated = a with { PushToken = request.PushToken ?? a.PushToken, LastVerifiedAt = now };
            return UserService.WithAuthenticator(u, updated);
        });
        if (updated is null)
        {
            return PushService.UnknownCredential();
        }
        return new UpdatePushCredentialResponse(updated.Id, device.UserId, now, updated.PushToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} added for tenant {TenantId}")]
    private static partial void LogAdded(ILogger logger, string tenantId, string authenticatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} removed by its device for tenant {TenantId}")]
    private static partial void LogRemoved(ILogger logger, string tenantId, string authenticatorId);
}
