using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Push;

/// <summary>
/// Push challenges (CONTRACT.md 3.2 and rows 4–5 of 3.3): started by the web app with a client token, fetched and
/// answered by a device with its key, polled by the web app. A challenge document lives in its own hash slot; each
/// targeted device gets a pointer to it in its own slot, so a device finds its pending challenge in two reads.
/// </summary>
public sealed partial class PushService(
    PushStore push,
    UserStore users,
    PushDevices devices,
    ActionService actions,
    ActionStore actionStore,
    RateLimiter limiter,
    PushNotifier notifier,
    ChallengeMetrics metrics,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<PushService> logger)
{
    /// <summary>What <c>ClientAddress.Of</c> answers when the connection has no IP address.</summary>
    public const string UnknownAddress = "unknown";
    private IStateStore Store => push.Store;

    /// <summary>Where the sign-in attempt came from, as the Client API request saw it.</summary>
    public sealed record RequestContext(string IpAddress, string? UserAgent);

    /// <summary>Starts a challenge for the token's action, to all the user's push devices or the one asked for.</summary>
    public async Task<Outcome<StartPushResponse>> StartAsync(Tenant tenant, ClientToken token, StartPushRequest request, RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!tenant.Allows(VerificationMethods.Push))
        {
            return ApiError.Invalid("PUSH is not enabled for this tenant.");
        }
        var actionKey = StoreKeys.Action(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey);
        // Round trip 1: the user and the action (one slot) and the rate windows, together.
        var read = Store.GetManyAsync([StoreKeys.User(tenant.Id, token.UserId), actionKey]);
        var limited = context.IpAddress == UnknownAddress
            // No address to attribute the start to (e.g. a Unix socket): only the per-user limit applies.
            ? limiter.HitAsync(tenant, RateRule.PushStartsPerUser, token.UserId)
            : limiter.HitAllAsync(tenant, (RateRule.PushStartsPerUser, token.UserId), (RateRule.StartsPerIp, context.IpAddress));
        await Task.WhenAll(read, limited);
        if (limited.Result is { } tooMany)
        {
            return tooMany;
        }
        var (userRaw, actionRaw) = (read.Result[0], read.Result[1]);
        if (PushStore.Parse<ActionRecord>(actionRaw) is not { } action)
        {
            return ApiError.NotFound("The token's action no longer exists.");
        }
        if (!ActionStates.AwaitsChallenge(action.State))
        {
            return ApiError.Conflict($"The action is {action.State}: it no longer awaits a challenge.");
        }
        var user = users.Read(userRaw);
        var devices = PushDevicesOf(user).Where(a => request.UserAuthenticatorId is null || a.Id == request.UserAuthenticatorId).ToList();
        if (devices.Count == 0)
        {
            return ApiError.NotFound(request.UserAuthenticatorId is null
                ? "The user has no push authenticator."
                : $"The user has no push authenticator '{request.UserAuthenticatorId}'.");
        }

        // The context a device shows describes the sign-in attempt: what the backend tracked, else this request.
        var challenge = NewChallenge(tenant, token.UserId, token.ActionCode, token.IdempotencyKey, devices,
            action.IpAddress ?? context.IpAddress, action.UserAgent ?? context.UserAgent, action.DeviceId, action.Custom);
        var now = challenge.CreatedAt;

        // Round trip 2: the challenge, each device's pointer and the action's latest challenge, issued together.
        var actionWrite = Store.CommitAsync([StateChange.Replace(actionKey, actionRaw!, StoreJson.Write(action with { ChallengeId = challenge.Id }),
            PushStore.Max(action.CreatedAt + tenant.Limits.ActionRetention - now, TimeSpan.FromSeconds(1)))]);
        await StoreAsync(tenant, challenge, devices, actionWrite);
        if (!actionWrite.Result)
        {
            // The action changed between the read and the write (rare): set the pointer with a retrying update.
            await actionStore.UpdateAsync(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey,
                a => a.ChallengeId == challenge.Id ? null : a with { ChallengeId = challenge.Id }, tenant.Limits.ActionRetention);
        }
        return new StartPushResponse(challenge.Id, challenge.VerificationCode);
    }

    /// <summary>A new pending challenge to <paramref name="devices"/>, living the tenant's push lifetime from now.</summary>
    public PushChallengeRecord NewChallenge(Tenant tenant, string userId, string actionCode, string idempotencyKey,
        IReadOnlyList<AuthenticatorRecord> devices, string? ipAddress, string? userAgent, string? deviceId, System.Text.Json.JsonElement? custom,
        string? purpose = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(devices);
        var now = time.GetUtcNow();
        return new PushChallengeRecord
        {
            Id = id ?? Ids.New(),
            Purpose = purpose,
            UserId = userId,
            ActionCode = actionCode,
            IdempotencyKey = idempotencyKey,
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.PushLifetime,
            Targets = devices.Select(d => d.Id).ToArray(),
            // A step-up has no web page to show a code on.
            VerificationCode = tenant.Options.Push.NumberMatching && purpose is null
                ? RandomNumberGenerator.GetInt32(0, 100).ToString("D2", CultureInfo.InvariantCulture)
                : null,
            IpAddress = ipAddress,
            UserAgent = userAgent,
            DeviceId = deviceId,
            Custom = custom,
        };
    }

    /// <summary>
    /// Writes a new challenge and each targeted device's pointer to it, concurrently with the caller's own writes
    /// (<paramref name="alongside"/>, already started): one round trip. Then queues <c>push.created</c> per device.
    /// </summary>
    public async Task StoreAsync(Tenant tenant, PushChallengeRecord challenge, IReadOnlyList<AuthenticatorRecord> devices, params Task[] alongside)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(devices);
        var pointer = StoreJson.Write(new PendingPointer(challenge.Id, challenge.ExpiresAt));
        var writes = new List<Task>(alongside)
        {
            Store.CommitAsync([StateChange.PutIfAbsent(StoreKeys.Challenge(tenant.Id, challenge.Id), StoreJson.Write(challenge),
                PushStore.Retention(challenge, challenge.CreatedAt))]),
        };
        // Each pointer is swapped in, so the challenge it replaces on that device is known without another read.
        var replaced = devices.Select(d =>
            Store.ExchangeAsync(StoreKeys.DevicePending(tenant.Id, DeviceKeys.KeyId(d.PublicKey!)), pointer, tenant.Limits.PushLifetime)).ToList();
        writes.AddRange(replaced);
        await Task.WhenAll(writes);
        foreach (var device in devices)
        {
            notifier.Enqueue(new PushCreated(tenant, Ids.New(), CreatedData(challenge, device), challenge.ExpiresAt));
        }
        metrics.Started(tenant.Id, VerificationMethods.Push);
        LogStarted(logger, tenant.Id, challenge.Id, devices.Count);
        await CloseSupersededAsync(tenant, challenge, devices, replaced.Select(r => r.Result));
    }

    /// <summary>
    /// A device shows one pending challenge: the newest. An older challenge whose every targeted device now shows
    /// <paramref name="newer"/> can never be answered, so it is closed at once (a step-up poll reads EXPIRED, a web poll
    /// reads consumed, and the user's next step-up may start) instead of waiting out its lifetime as PENDING.
    /// </summary>
    private async Task CloseSupersededAsync(Tenant tenant, PushChallengeRecord newer, IReadOnlyList<AuthenticatorRecord> devices,
        IEnumerable<string?> replacedPointers)
    {
        var now = newer.CreatedAt;
        var showingNewer = devices.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var older = replacedPointers.Select(PushStore.Parse<PendingPointer>)
            .Where(p => p is not null && p.ChallengeId != newer.Id && now < p.ExpiresAt)
            .Select(p => p!.ChallengeId).Distinct(StringComparer.Ordinal);
        foreach (var id in older)
        {
            var after = await Store.UpdateAsync<PushChallengeRecord>(retry, StoreKeys.Challenge(tenant.Id, id),
                c => c.IsPush && c.IsOpenAt(now) && c.Targets.All(showingNewer.Contains) ? c with { ExpiresAt = now, SupersededBy = newer.Id } : null,
                c => PushStore.Retention(c, now));
            if (after?.SupersededBy == newer.Id)
            {
                metrics.Completed(tenant.Id, VerificationMethods.Push, "superseded");
                LogSuperseded(logger, tenant.Id, id, newer.Id);
            }
        }
    }

    /// <summary>The user's verified push authenticators that have a key.</summary>
    public static List<AuthenticatorRecord> PushDevicesOf(UserRecord user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Verified.Where(a => a.VerificationMethod == VerificationMethods.Push && a.PublicKey is not null).ToList();
    }

    private static List<KeyValuePair<string, string?>> CreatedData(PushChallengeRecord challenge, AuthenticatorRecord device) =>
    [
        new("challengeId", challenge.Id),
        new("userId", challenge.UserId),
        new("idempotencyKey", challenge.IdempotencyKey),
        new("actionCode", challenge.ActionCode),
        new("userAuthenticatorId", device.Id),
        new("pushToken", device.PushToken),
        new("ipAddress", challenge.IpAddress),
        new("userAgent", challenge.UserAgent),
    ];

    /// <summary>
    /// The web app's poll. An approved challenge hands out the access token once; before it does, it applies the
    /// result to the action again (idempotent), so a failure between the device's answer and the action update
    /// cannot lose the result.
    /// </summary>
    public async Task<Outcome<VerifyPushResponse>> VerifyAsync(Tenant tenant, ClientToken token, string challengeId)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        return await retry.RunAsync<Outcome<VerifyPushResponse>>("polling a push challenge", async _ =>
        {
            var stored = await push.ReadChallengeAsync(tenant.Id, challengeId);
            if (stored is not { Value: var challenge } || !BelongsTo(challenge, token))
            {
                return (Outcome<VerifyPushResponse>)ApiError.NotFound("No such push challenge for this token.");
            }
            var now = time.GetUtcNow();
            if (challenge.State == PushChallengeStates.Pending)
            {
                return (Outcome<VerifyPushResponse>)new VerifyPushResponse(false, now >= challenge.ExpiresAt, null);
            }
            var approved = challenge.State == PushChallengeStates.Approved;
            if (challenge.TokenIssued)
            {
                return (Outcome<VerifyPushResponse>)new VerifyPushResponse(approved, true, null);
            }
            var action = await actions.CompleteChallengeAsync(tenant, token, approved, VerificationMethods.Push);
            if (action is null)
            {
                return (Outcome<VerifyPushResponse>)ApiError.NotFound("The token's action no longer exists.");
            }
            if (!approved)
            {
                return (Outcome<VerifyPushResponse>)new VerifyPushResponse(false, true, null);
            }
            if (action.State != ActionStates.ChallengeSucceeded)
            {
                // Another challenge already decided this action (e.g. a rejection): this approval cannot succeed it.
                return (Outcome<VerifyPushResponse>)new VerifyPushResponse(false, true, null);
            }
            var issued = challenge with { TokenIssued = true };
            var key = StoreKeys.Challenge(tenant.Id, challengeId);
            // Another poll may change the document first: then it is read again, and says the token is taken.
            return await Store.CommitAsync([StateChange.Replace(key, stored.Raw, StoreJson.Write(issued), PushStore.Retention(issued, now))])
                ? (Outcome<VerifyPushResponse>)new VerifyPushResponse(true, true, actions.IssueToken(tenant, action))
                : Attempt.Conflict<Outcome<VerifyPushResponse>>();
        });
    }

    private static bool BelongsTo(PushChallengeRecord challenge, ClientToken token) =>
        challenge.UserId == token.UserId && challenge.ActionCode == token.ActionCode && challenge.IdempotencyKey == token.IdempotencyKey;

    /// <summary>
    /// Device API row 4: the device's pending challenge, if any. A valid <c>X-Authsignal-Signature</c> over the
    /// device's latest nonce (row 3) consumes that nonce and unlocks <c>custom</c>.
    /// </summary>
    public async Task<Outcome<PendingChallengeResponse>> PendingAsync(Tenant tenant, string? queryKey, string? signature)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (DeviceCrypto.DecodeQueryKey(queryKey) is not { } publicKey)
        {
            return UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(publicKey);
        var nonceKey = StoreKeys.DeviceNonce(tenant.Id, keyId);
        // Round trip 1: the credential, its pending pointer and its nonce (one slot).
        var raws = await Store.GetManyAsync([StoreKeys.Device(tenant.Id, keyId), StoreKeys.DevicePending(tenant.Id, keyId), nonceKey]);
        var now = time.GetUtcNow();
        if (PushStore.LiveDevice(raws[0], now) is not { } device)
        {
            return UnknownCredential();
        }
        // Round trip 2: the challenge, and the nonce's consumption when the request is signed.
        var signed = Task.FromResult(false);
        if (signature is not null && PushStore.Parse<DeviceNonce>(raws[2]) is { } nonce && nonce.KeyId == keyId && now < nonce.ExpiresAt &&
            DeviceCrypto.Verify(publicKey, nonce.Message, signature))
        {
            signed = Store.CommitAsync([StateChange.DeleteIfEqual(nonceKey, raws[2]!)]);
        }
        var read = PushStore.Parse<PendingPointer>(raws[1]) is { } pointer && now < pointer.ExpiresAt
            ? push.ReadChallengeAsync(tenant.Id, pointer.ChallengeId)
            : Task.FromResult<Stored<PushChallengeRecord>?>(null);
        await Task.WhenAll(signed, read);
        if (read.Result is not { Value: var c } || !c.IsOpenAt(now) || !c.Targets.Contains(device.AuthenticatorId) || c.UserId != device.UserId)
        {
            return new PendingChallengeResponse(device.AuthenticatorId);
        }
        return new PendingChallengeResponse(device.AuthenticatorId, c.Id, c.UserId, c.ActionCode, c.IdempotencyKey, c.DeviceId, c.UserAgent,
            c.IpAddress, c.ExpiresAt.ToUnixTimeSeconds(), signed.Result ? c.Custom : null, c.VerificationCode is null ? null : true);
    }

    /// <summary>
    /// Device API row 5: the first valid answer moves the challenge, once, by compare-and-set on the challenge
    /// document. A second or late answer, an untargeted device or a bad signature changes nothing.
    /// </summary>
    public async Task<Outcome<AnswerPushResponse>> AnswerAsync(Tenant tenant, AnswerPushRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var challengeId = request.ChallengeId!;
        if ((DeviceCrypto.NormalizePublicKey(request.PublicKey) ?? DeviceCrypto.DecodeQueryKey(request.PublicKey)) is not { } publicKey)
        {
            return UnknownCredential();
        }
        var keyId = DeviceKeys.KeyId(publicKey);
        var pendingKey = StoreKeys.DevicePending(tenant.Id, keyId);
        // Round trip 1: the credential with its pointer, and the challenge, together.
        var deviceRead = Store.GetManyAsync([StoreKeys.Device(tenant.Id, keyId), pendingKey]);
        var challengeRead = push.ReadChallengeAsync(tenant.Id, challengeId);
        await Task.WhenAll(deviceRead, challengeRead);
        if (PushStore.LiveDevice(deviceRead.Result[0], time.GetUtcNow()) is not { } device)
        {
            return UnknownCredential();
        }
        if (!DeviceCrypto.Verify(publicKey, challengeId, request.Signature))
        {
            LogBadSignature(logger, tenant.Id);
            return ApiError.InvalidCredential("The signature does not verify with this credential.");
        }
        var key = StoreKeys.Challenge(tenant.Id, challengeId);
        return await retry.RunAsync<Outcome<AnswerPushResponse>>("answering a push challenge", async attempt =>
        {
            var stored = attempt == 1 ? challengeRead.Result : await push.ReadChallengeAsync(tenant.Id, challengeId);
            if (stored is not { Value: var challenge } || challenge.UserId != device.UserId || !challenge.Targets.Contains(device.AuthenticatorId))
            {
                return (Outcome<AnswerPushResponse>)ApiError.NotFound("No such push challenge for this device.");
            }
            var now = time.GetUtcNow();
            if (challenge.State != PushChallengeStates.Pending)
            {
                return (Outcome<AnswerPushResponse>)ApiError.Conflict("The challenge has already been answered.");
            }
            if (now >= challenge.ExpiresAt)
            {
                return (Outcome<AnswerPushResponse>)ApiError.Conflict("The challenge has expired.");
            }
            var approve = request.Approved!.Value && CodeMatches(challenge, request.VerificationCode);
            var answered = challenge with
            {
                State = approve ? PushChallengeStates.Approved : PushChallengeStates.Rejected,
                AnsweredAt = now,
                AnsweredBy = device.AuthenticatorId,
            };
            // Round trip 2: the one atomic move of the challenge, and beside it a read of the action it decides, so that
            // the action's own compare-and-set (round trip 3) needs no read of its own. A step-up has no action.
            var moving = Store.CommitAsync([StateChange.Replace(key, stored.Raw, StoreJson.Write(answered), PushStore.Retention(answered, now))]);
            var readingAction = challenge.Purpose is null
                ? actionStore.GetStoredAsync(tenant.Id, challenge.UserId, challenge.ActionCode, challenge.IdempotencyKey)
                : Task.FromResult<Stored<ActionRecord>?>(null);
            try
            {
                await Task.WhenAll(moving, readingAction);
            }
            catch (StoreUnavailableException) when (moving.IsCompletedSuccessfully)
            {
                // The move is what counts: without the action's copy, its update reads it again below.
            }
            if (!moving.Result)
            {
                return Attempt.Conflict<Outcome<AnswerPushResponse>>();
            }
            var claims = new ClientToken(tenant.Id, challenge.UserId, challenge.ActionCode, challenge.IdempotencyKey, [], now, now);
            var cleanup = deviceRead.Result[1] is { } pointerRaw && PushStore.Parse<PendingPointer>(pointerRaw)?.ChallengeId == challengeId
                ? Store.CommitAsync([StateChange.DeleteIfEqual(pendingKey, pointerRaw)])
                : Task.FromResult(true);
            // A step-up has no action to complete: its result is read from the challenge itself.
            var complete = challenge.Purpose is null
                ? actions.CompleteChallengeAsync(tenant, claims, approve, VerificationMethods.Push,
                    readingAction.IsCompletedSuccessfully ? readingAction.Result : null)
                : Task.FromResult<ActionRecord?>(null);
            // A signed answer, approval or rejection, is a use of the credential: its lifetime starts again.
            var renewal = devices.RenewOnUseAsync(tenant, deviceRead.Result[0]!);
            try
            {
                await Task.WhenAll(complete, cleanup, renewal);
            }
            catch (StoreUnavailableException)
            {
                // The answer is recorded on the challenge; the web poll applies it to the action again.
                LogFollowUpFailed(logger, tenant.Id, challengeId);
            }
            metrics.Completed(tenant.Id, VerificationMethods.Push, approve ? "approved" : "rejected");
            LogAnswered(logger, tenant.Id, challengeId, answered.State);
            return (Outcome<AnswerPushResponse>)new AnswerPushResponse(approve);
        });
    }

    /// <summary>Without number matching any answer matches; with it, the device must echo the code exactly.</summary>
    private static bool CodeMatches(PushChallengeRecord challenge, string? code) =>
        challenge.VerificationCode is null ||
        (code is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(challenge.VerificationCode), Encoding.UTF8.GetBytes(code.Trim())));

    internal static ApiError UnknownCredential() =>
        ApiError.InvalidCredential("publicKey: not a registered push credential of this tenant.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} started for tenant {TenantId} to {Devices} device(s)")]
    private static partial void LogStarted(ILogger logger, string tenantId, string challengeId, int devices);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} of tenant {TenantId} superseded by {NewerChallengeId} on every device: closed")]
    private static partial void LogSuperseded(ILogger logger, string tenantId, string challengeId, string newerChallengeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push challenge {ChallengeId} of tenant {TenantId} answered: {State}")]
    private static partial void LogAnswered(ILogger logger, string tenantId, string challengeId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push challenge {ChallengeId} of tenant {TenantId} answered, but its action was not updated yet (store unavailable)")]
    private static partial void LogFollowUpFailed(ILogger logger, string tenantId, string challengeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push answer with a bad signature for tenant {TenantId}")]
    private static partial void LogBadSignature(ILogger logger, string tenantId);
}
