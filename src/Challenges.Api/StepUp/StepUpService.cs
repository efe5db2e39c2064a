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
    RateLimiter limiter,
    TokenService tokens,
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
    /// Starts a step-up, or with a reference replays the reference's first reply. Two requests with the same
    /// reference at the same moment: one claims the reference and runs, the other waits for its reply.
    /// </summary>
    public async Task<StepUpReply> StartAsync(Tenant tenant, string userId, string channel, string? reference, string fingerprint,
        PushService.RequestContext context)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (reference is null)
        {
            return await StartOnceAsync(tenant, userId, channel, context);
        }
        var refKey = StoreKeys.StepUpRef(tenant.Id, userId, reference);
        for (var wait = 0; wait < MaxWaits; wait++)
        {
            var raw = await store.GetAsync(refKey);
            var now = time.GetUtcNow();
            if (PushStore.Parse<StepUpRefRecord>(raw) is { } existing && now - existing.CreatedAt < RefRetention)
            {
                if (existing.Fingerprint != fingerprint)
                {
                    LogRefMismatch(logger, tenant.Id);
                    return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
                }
                if (existing.Done)
                {
                    return new StepUpReply(existing.Id, existing.ErrorCode);
                }
                // The first request with this reference is still running: its reply is the answer.
                await Task.Delay(WaitStep);
                continue;
            }
            var claim = StoreJson.Write(new StepUpRefRecord(fingerprint, now, false, null, null));
            var claimed = raw is null ? StateChange.PutIfAbsent(refKey, claim, RefRetention) : StateChange.Replace(refKey, raw, claim, RefRetention);
            if (!await store.CommitAsync([claimed]))
            {
                continue;
            }
            StepUpReply reply;
            try
            {
                reply = await StartOnceAsync(tenant, userId, channel, context);
            }
            catch
            {
                await store.CommitAsync([StateChange.DeleteIfEqual(refKey, claim)]);
                throw;
            }
            await store.CommitAsync([reply.IsKept
                ? StateChange.Replace(refKey, claim, StoreJson.Write(new StepUpRefRecord(fingerprint, now, true, reply.Id, reply.ErrorCode)), RefRetention)
                : StateChange.DeleteIfEqual(refKey, claim)]);
            return reply;
        }
        return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
    }

    private async Task<StepUpReply> StartOnceAsync(Tenant tenant, string userId, string channel, PushService.RequestContext context)
    {
        if (!ChannelsOf(tenant).Contains(channel, StringComparer.Ordinal))
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChannelNotSupported);
        }
        var inFlightKey = StoreKeys.StepUpInFlight(tenant.Id, userId);
        // Round trip 1: the user and the step-up in flight (one slot), and the per-address window.
        var read = store.GetManyAsync([StoreKeys.User(tenant.Id, userId), inFlightKey]);
        var perAddress = context.IpAddress == PushService.UnknownAddress
            ? Task.FromResult<ApiError?>(null)
            : limiter.HitAsync(tenant.Id, "ip-start", context.IpAddress, tenant.Limits.StartsPerIpPerWindow, tenant.Limits.IpWindow);
        await Task.WhenAll(read, perAddress);
        if (perAddress.Result is { } tooMany)
        {
            return StepUpReply.Failed(tooMany);
        }
        // Authy devices are not enrolled here, so an AUTHY step-up has no device to go to.
        var devices = channel == StepUpChannels.Biometric
            ? PushService.PushDevicesOf(PushStore.Parse<UserRecord>(read.Result[0]) ?? UserRecord.Empty)
            : [];
        if (devices.Count == 0)
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChannelNotRegistered);
        }
        var now = time.GetUtcNow();
        var inFlightRaw = read.Result[1];
        if (PushStore.Parse<StepUpInFlightRecord>(inFlightRaw) is { } inFlight && now < inFlight.ExpiresAt &&
            await pushStore.ReadChallengeAsync(tenant.Id, inFlight.ChallengeId) is { } current && current.Value.IsOpenAt(now))
        {
            return StepUpReply.Conflict(StepUpErrorCodes.StateInvalid);
        }
        if (await limiter.HitAsync(tenant.Id, "stepup", userId, tenant.Limits.StepUpsPerWindow, tenant.Limits.StepUpWindow) is not null)
        {
            return StepUpReply.Conflict(StepUpErrorCodes.ChallengeLimitExceeded);
        }

        var id = Ids.New();
        var challenge = push.NewChallenge(tenant, userId, ActionCode, id, devices, context.IpAddress == PushService.UnknownAddress ? null : context.IpAddress,
            context.UserAgent, null, null, PushChallengeStates.StepUp, id);
        // Claiming the in-flight slot is what makes two different step-ups at once impossible.
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
    public async Task<(StepUpStatusResponse? Status, ApiError? Error)> GetAsync(Tenant tenant, string userId, string id)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        for (var attempt = 0; attempt < 50; attempt++)
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
        }
        throw new InvalidOperationException("Gave up reading a step-up after repeated conflicting writes.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Step-up idempotency reference reused with another payload for tenant {TenantId}")]
    private static partial void LogRefMismatch(ILogger logger, string tenantId);
}
