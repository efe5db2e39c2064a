using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.StepUp;

/// <summary>
/// Step-up push (CONTRACT.md 4). A BIOMETRIC step-up is a push challenge to the user's device credentials, answered
/// through the device API like any other; the user's step-up in flight and the idempotency references live in the
/// user's hash slot.
/// </summary>
public sealed partial class StepUpService(
    IStateStore store,
    PushService push,
    PushStore pushStore,
    UserStore users,
    RateLimiter limiter,
    TokenService tokens,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<StepUpService> logger)
{
    /// <summary>How long an idempotency reference answers with its first reply.</summary>
    public static readonly TimeSpan RefRetention = TimeSpan.FromHours(24);

    /// <summary>The action code step-up challenges show on the device.</summary>
    public const string ActionCode = "stepUp";

    private const int MaxWaits = 100;
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(50);

    public static IReadOnlyList<string> ChannelsOf(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Options.StepUp.Channels.Count == 0 ? [StepUpChannels.Biometric] : [.. tenant.Options.StepUp.Channels];
    }

    /// <summary>
    /// Starts a step-up for <paramref name="userId"/>, or with a reference replays the reference's first reply. Checks
    /// come first and store nothing: the caller's address limit; for a client token, its action (a blocked, failed or
    /// held-back action cannot step up: <c>STATE_INVALID</c>); the channel, the user's devices and the step-up in flight.
    /// A reference is stored only for a request that starts a challenge, so the references a user can hold are bounded
    /// by the step-up limit. Two requests with the same reference at once: one claims it and runs, the other waits for
    /// its reply.
    /// </summary>
    public async Task<StepUpReply> StartAsync(Tenant tenant, string userId, ClientToken? token, string channel, string? reference,
        string fingerprint, PushService.RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(context);
        if (context.IpAddress != PushService.UnknownAddress &&
            await limiter.HitAsync(tenant, RateRule.StartsPerIp, context.IpAddress) is { } tooMany)
        {
            return StepUpReply.Failed(tooMany);
        }
        var inFlightKey = StoreKeys.StepUpInFlight(tenant.Id, userId);
        var refKey = reference is null ? null : StoreKeys.StepUpRef(tenant.Id, userId, reference);
        // The user, the step-up in flight, the token's action and the reference share the user's slot: one read.
        List<string> keys = [StoreKeys.User(tenant.Id, userId), inFlightKey];
        if (token is not null)
        {
            keys.Add(StoreKeys.Action(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey));
        }
        for (var wait = 0; wait < MaxWaits; wait++)
        {
            var raws = await store.GetManyAsync(refKey is null ? keys : [.. keys, refKey]);
            if (token is not null && (PushStore.Parse<ActionRecord>(raws[2]) is not { } action || ActionStates.Refuses(action.State)))
            {
                return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
            }
            var now = time.GetUtcNow();
            var refRaw = refKey is null ? null : raws[^1];
            if (PushStore.Parse<StepUpRefRecord>(refRaw) is { } existing && now - existing.CreatedAt < RefRetention)
            {
                if (existing.Fingerprint != fingerprint)
                {
                    LogRefMismatch(logger, tenant.Id);
                    return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
                }
                if (existing.Done)
                {
                    return StepUpReply.Started(existing.Id!);
                }
                // The first request with this reference is still running: its reply is the answer.
                await Task.Delay(WaitStep);
                continue;
            }
            var devices = channel == StepUpChannels.Biometric
                ? PushService.PushDevicesOf(users.Read(raws[0]))
                : [];
            if (await RefusalAsync(tenant, channel, devices, raws[1], now) is { } refusal)
            {
                return refusal;
            }
            if (refKey is null)
            {
                return await StartChallengeAsync(tenant, userId, devices, raws[1], context);
            }
            var claim = StoreJson.Write(new StepUpRefRecord(fingerprint, now, false, null));
            if (!await store.CommitAsync([refRaw is null ? StateChange.PutIfAbsent(refKey, claim, RefRetention) : StateChange.Replace(refKey, refRaw, claim, RefRetention)]))
            {
                continue;
            }
            StepUpReply reply;
            try
            {
                reply = await StartChallengeAsync(tenant, userId, devices, raws[1], context);
            }
            catch
            {
                await store.CommitAsync([StateChange.DeleteIfEqual(refKey, claim)]);
                throw;
            }
            await store.CommitAsync([reply.Id is { } id
                ? StateChange.Replace(refKey, claim, StoreJson.Write(new StepUpRefRecord(fingerprint, now, true, id)), RefRetention)
                : StateChange.DeleteIfEqual(refKey, claim)]);
            return reply;
        }
        return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
    }

    /// <summary>Why a step-up cannot start, as a reply that is never stored: channel off, no device, one in flight.</summary>
    private async Task<StepUpReply?> RefusalAsync(Tenant tenant, string channel, List<AuthenticatorRecord> devices, string? inFlightRaw,
        DateTimeOffset now)
    {
        if (!ChannelsOf(tenant).Contains(channel, StringComparer.Ordinal))
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChannelNotSupported);
        }
        // Authy devices are not enrolled here, so an AUTHY step-up has no device to go to.
        if (devices.Count == 0)
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChannelNotRegistered);
        }
        if (PushStore.Parse<StepUpInFlightRecord>(inFlightRaw) is { } inFlight && now < inFlight.ExpiresAt &&
            await pushStore.ReadChallengeAsync(tenant.Id, inFlight.ChallengeId) is { } current && current.Value.IsOpenAt(now))
        {
            return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
        }
        return null;
    }

    /// <summary>Counts the user's step-up limit, claims the in-flight slot and sends the push challenge.</summary>
    private async Task<StepUpReply> StartChallengeAsync(Tenant tenant, string userId, List<AuthenticatorRecord> devices,
        string? inFlightRaw, PushService.RequestContext context)
    {
        if (await limiter.HitAsync(tenant, RateRule.StepUpsPerUser, userId) is not null)
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChallengeLimitExceeded);
        }
        var id = Ids.New();
        var challenge = push.NewChallenge(tenant, userId, ActionCode, id, devices, context.IpAddress == PushService.UnknownAddress ? null : context.IpAddress,
            context.UserAgent, null, null, PushChallengeStates.StepUp, id);
        // Claiming the in-flight slot is what makes two different step-ups at once impossible.
        var inFlightKey = StoreKeys.StepUpInFlight(tenant.Id, userId);
        var mark = StoreJson.Write(new StepUpInFlightRecord(id, challenge.ExpiresAt));
        var ttl = tenant.Limits.PushLifetime;
        if (!await store.CommitAsync([inFlightRaw is null ? StateChange.PutIfAbsent(inFlightKey, mark, ttl) : StateChange.Replace(inFlightKey, inFlightRaw, mark, ttl)]))
        {
            return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
        }
        await push.StoreAsync(tenant, challenge, devices);
        return StepUpReply.Started(id);
    }

    /// <summary>The step-up's status; an approved one hands out its step-up token once.</summary>
    public Task<(StepUpStatusResponse? Status, ApiError? Error)> GetAsync(Tenant tenant, string userId, string id)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return retry.RunAsync<(StepUpStatusResponse?, ApiError?)>("reading a step-up", async _ =>
        {
            var stored = await pushStore.ReadChallengeAsync(tenant.Id, id);
            if (stored is not { Value: var c } || c.Purpose != PushChallengeStates.StepUp || c.UserId != userId)
            {
                return (null, ApiError.NotFound("No such step-up challenge for this user."));
            }
            var now = time.GetUtcNow();
            var status = c.State switch
            {
                PushChallengeStates.Approved => StepUpStatuses.Approved,
                PushChallengeStates.Rejected => StepUpStatuses.Rejected,
                _ => now < c.ExpiresAt ? StepUpStatuses.Pending : StepUpStatuses.Expired,
            };
            if (status != StepUpStatuses.Approved || c.TokenIssued)
            {
                return (new StepUpStatusResponse(id, status, null), null);
            }
            var issued = c with { TokenIssued = true };
            if (await store.CommitAsync([StateChange.Replace(StoreKeys.Challenge(tenant.Id, id), stored.Raw, StoreJson.Write(issued),
                    PushStore.Retention(issued, now))]))
            {
                var token = tokens.Issue(tenant.Id, userId, ActionCode, id, [Scopes.ReadAuthenticators], acr: "stepup",
                    authTime: c.AnsweredAt ?? now);
                return (new StepUpStatusResponse(id, status, token), null);
            }
            return Attempt.Conflict<(StepUpStatusResponse?, ApiError?)>();
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Step-up idempotency reference reused with another payload for tenant {TenantId}")]
    private static partial void LogRefMismatch(ILogger logger, string tenantId);
}
