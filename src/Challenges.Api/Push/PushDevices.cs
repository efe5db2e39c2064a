using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.Push;

/// <summary>
/// Device credentials (rows 1–3 and 6–8 of docs/contract.md §3.3). A credential's identity is its public key; the user
/// store keeps its index and nonces beside the user's authenticator. A credential expires after the tenant's
/// <c>Push__CredentialLifetime</c> unless it is used: answering a challenge or a signed update with <c>resetExpiry</c>
/// starts the lifetime again.
/// </summary>
public sealed partial class PushDevices(VerificationFlow flow, UserStore users, RateCounter limits, TimeProvider time, ILogger<PushDevices> logger)
{
    private UserStore Users => users;
    private TimeProvider Time => time;
    private ILogger<PushDevices> Logger => logger;

    /// <summary>
    /// Row 1, an enrolment under the rules of every enrolment (<see cref="Actions.EnrolmentPolicy"/>): the token's action
    /// must accept a challenge, its user must not have been deleted since, adding to an enrolled user needs
    /// <c>add:authenticators</c>, and the user's push devices are capped. The same key again for the same user returns
    /// the same authenticator; a key that belongs to another user is refused.
    /// </summary>
    public Task<Outcome<AddPushCredentialResponse>> AddAsync(ClientCall call, AddPushCredentialRequest request) =>
        flow.EnrolAsync(call, new Enrolment(this, request));

    private sealed class Enrolment(PushDevices devices, AddPushCredentialRequest request) : IEnrolment<AddPushCredentialResponse>
    {
        public string Method => VerificationMethods.Push;

        public async Task<Outcome<AddPushCredentialResponse>> EnrolAsync(ChallengeContext context)
        {
            var now = devices.Time.GetUtcNow();
            var authenticator = new AuthenticatorRecord
            {
                Id = Ids.New(),
                VerificationMethod = VerificationMethods.Push,
                CreatedAt = now,
                VerifiedAt = now,
                PublicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey)!,
                DevicePlatform = PushPlatforms.Normalize(request.DevicePlatform),
                PushToken = request.PushToken,
                Attestation = request.PerformAttestation is { } attestation
                    ? new DeviceAttestation(attestation.Provider!, attestation.Token!, attestation.KeyId, now)
                    : null,
                DisplayName = request.DeviceName,
                ExpiresAt = now + context.Tenant.Options.Push.CredentialLifetime,
            };
            var added = await devices.Users.AddDeviceAsync(context.Tenant.Id, context.Token.UserId, authenticator,
                user => context.MayEnrol(user, Method, adding: true));
            if (added.Failed(out var refusal, out var result))
            {
                return refusal;
            }
            var a = result.Authenticator;
            if (result.Added)
            {
                LogAdded(devices.Logger, context.Tenant.Id, a.Id);
            }
            else if (request.PushToken is { } pushToken && pushToken != a.PushToken)
            {
                // The app registers again with a new token (reinstalled, or the service rotated it): the new one is used.
                await devices.Users.SetPushTokenAsync(context.Tenant.Id, context.Token.UserId, a.Id, pushToken);
            }
            return new AddPushCredentialResponse(a.Id, context.Token.UserId, a.VerifiedAt ?? a.CreatedAt, a.ExpiresAt, a.LastVerifiedAt);
        }
    }

    /// <summary>Row 2: the credential's authenticator.</summary>
    public async Task<Outcome<PushCredentialResponse>> GetAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey ||
            (await users.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey))).LiveAt(time.GetUtcNow()) is not { } device ||
            (await users.GetAsync(tenant.Id, device.UserId)).Find(device.AuthenticatorId) is not { } a)
        {
            return PushService.UnknownCredential();
        }
        return new PushCredentialResponse(a.Id, device.UserId, a.VerifiedAt, a.LastVerifiedAt, a.ExpiresAt);
    }

    /// <summary>
    /// The live credential of a query key for rows 3 and 7, counted against the key's nonce limit: each nonce is a key
    /// in the store, so a device (or anyone who knows its public key) cannot ask for them without bound.
    /// </summary>
    private async Task<Outcome<string>> NonceFor(Tenant tenant, string? queryKey)
    {
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey ||
            (await users.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey))).LiveAt(time.GetUtcNow()) is not { } device)
        {
            return PushService.UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(device.PublicKey);
        return await limits.HitAsync(tenant, RateRule.DeviceNonces, keyId) is { } limited ? limited : keyId;
    }

    /// <summary>Row 3: a fresh nonce for a signed get-pending; it replaces the device's previous one.</summary>
    public async Task<Outcome<DeviceMessageResponse>> NewPendingNonceAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if ((await NonceFor(tenant, queryKey)).Failed(out var error, out var keyId))
        {
            return error;
        }
        return new DeviceMessageResponse((await users.IssueNonceAsync(tenant.Id, keyId)).Message);
    }

    /// <summary>Row 7: a single-use message for a signed credential update, named by a fresh id.</summary>
    public async Task<Outcome<SignMessageResponse>> NewUpdateNonceAsync(Tenant tenant, string? queryKey)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if ((await NonceFor(tenant, queryKey)).Failed(out var error, out var keyId))
        {
            return error;
        }
        var (id, nonce) = await users.IssueUpdateNonceAsync(tenant.Id, keyId);
        return new SignMessageResponse(id, nonce.Message);
    }

    /// <summary>Row 6: removes the credential, signed over the current or previous ten-minute window.</summary>
    public async Task<Outcome<RemovePushCredentialResponse>> RemoveAsync(Tenant tenant, RemovePushCredentialRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        var publicKey = DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey);
        if (publicKey is null || (await users.ReadDeviceAsync(tenant.Id, DeviceKeys.KeyId(publicKey))).LiveAt(now) is not { } device)
        {
            return PushService.UnknownCredential();
        }
        if (!DeviceCrypto.VerifyTimeWindow(publicKey, request.Signature, now))
        {
            return ApiError.InvalidCredential("The signature does not verify over the current or previous time window.");
        }
        // Removing the authenticator removes its device keys; the key's are removed as well in case it was already gone.
        await users.RemoveAuthenticatorAsync(tenant.Id, device.UserId, device.AuthenticatorId);
        await users.RemoveDeviceKeysAsync(tenant.Id, DeviceKeys.KeyId(publicKey));
        LogRemoved(logger, tenant.Id, device.AuthenticatorId);
        return new RemovePushCredentialResponse(device.AuthenticatorId);
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
        var now = time.GetUtcNow();
        var deviceRead = users.ReadDeviceAsync(tenant.Id, keyId);
        var nonceRead = users.ReadUpdateNonceAsync(tenant.Id, request.ChallengeId!);
        await Task.WhenAll(deviceRead, nonceRead);
        if (deviceRead.Result is not { Index: { } device } state || state.LiveAt(now) is null)
        {
            return PushService.UnknownCredential();
        }
        if (nonceRead.Result is not { Value: var nonce } stored || nonce.KeyId != keyId || now >= nonce.ExpiresAt)
        {
            return ApiError.InvalidCredential("challengeId: unknown, already used or expired; ask for a new message.");
        }
        if (!DeviceCrypto.Verify(publicKey, nonce.Message, request.Signature))
        {
            return ApiError.InvalidCredential("The signature does not verify with this credential.");
        }
        if (!await users.ConsumeUpdateNonceAsync(tenant.Id, request.ChallengeId!, stored))
        {
            return ApiError.InvalidCredential("challengeId: already used; ask for a new message.");
        }
        var updated = await users.ChangeDeviceAsync(tenant.Id, device,
            a => a with { PushToken = request.PushToken ?? a.PushToken, LastVerifiedAt = now },
            request.ResetExpiry == true ? now + tenant.Options.Push.CredentialLifetime : null);
        if (updated is null)
        {
            return PushService.UnknownCredential();
        }
        // The SDKs read pushToken back only when they sent one.
        return new UpdatePushCredentialResponse(updated.Id, device.Value.UserId, now, request.PushToken is null ? null : updated.PushToken,
            updated.ExpiresAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} added for tenant {TenantId}")]
    private static partial void LogAdded(ILogger logger, string tenantId, string authenticatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push credential {AuthenticatorId} removed by its device for tenant {TenantId}")]
    private static partial void LogRemoved(ILogger logger, string tenantId, string authenticatorId);
}
