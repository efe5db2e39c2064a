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
/// Step-up push (docs/contract.md §4). A BIOMETRIC step-up is a push challenge to the user's device credentials,
/// answered through the device API like any other; the user's step-up in flight, the idempotency references and the
/// user's step-up count live in the user's hash slot, and a start writes them with its challenge in one atomic write.
/// </summary>
public sealed partial class StepUpService(
    PushService push,
    PushChallengeStore challenges,
    StepUpStore records,
    UserStore users,
    ActionStore actions,
    RateCounter limits,
    TokenService tokens,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<StepUpService> logger)
{
    public static IReadOnlyList<string> ChannelsOf(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return tenant.Options.StepUp.Channels.Count == 0 ? [StepUpChannels.Biometric] : [.. tenant.Options.StepUp.Channels];
    }

    /// <summary>
    /// Starts a step-up for <paramref name="userId"/>, or with a reference replays the reference's first reply. The
    /// caller's address limit comes first; then, on one read of the user's slot: for a client token, its action (a
    /// blocked, failed or held-back action cannot step up: <c>STATE_INVALID</c>); the reference; the channel, the user's
    /// devices, the step-up in flight and the user's step-up limit. Refusals store nothing, so the references a user can
    /// hold are bounded by the limit. The start writes its challenge, the step-up in flight, the reference and the
    /// count in one atomic write: of two requests with one reference, one starts and the other, finding the reference
    /// when it reads again, replays it.
    /// </summary>
    public async Task<Outcome<string>> StartAsync(Tenant tenant, string userId, ClientToken? token, string channel, string? reference,
        string fingerprint, PushOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(origin);
        if (origin.IpAddress != ClientAddress.Unknown && await limits.HitAsync(tenant, RateRule.StartsPerIp, origin.IpAddress) is { } tooMany)
        {
            return tooMany;
        }
        return await retry.RunAsync<Outcome<string>>("starting a step-up", async _ =>
        {
            var userRead = users.GetAsync(tenant.Id, userId);
            var recordsRead = records.ReadAsync(tenant.Id, userId, reference);
            var actionRead = token is null ? Task.FromResult<Stored<ActionRecord>?>(null) : actions.ReadAsync(ActionRef.Of(token));
            var boardRead = challenges.ReadBoardAsync(tenant.Id, userId);
            var countRead = limits.ReadInUserSlotAsync(tenant, RateRule.StepUpsPerUser, userId);
            await Task.WhenAll(userRead, recordsRead, actionRead, boardRead, countRead);
            var read = recordsRead.Result;
            var now = time.GetUtcNow();
            if (token is not null && (actionRead.Result is not { Value: var action } || ActionStates.Refuses(action.State)))
            {
                return Done(StepUpErrors.Refused(StepUpErrorCodes.StateInvalid));
            }
            if (read.Reference?.Value is { } existing && now - existing.CreatedAt < StepUpStore.RefRetention)
            {
                if (existing.Fingerprint != fingerprint)
                {
                    LogRefMismatch(logger, tenant.Id);
                    return Done(StepUpErrors.Refused(StepUpErrorCodes.StateInvalid));
                }
                if (existing is { Done: true, Id: { } replayed })
                {
                    return Done(replayed);
                }
            }
            var devices = channel == StepUpChannels.Biometric ? userRead.Result.PushDevices : [];
            var board = boardRead.Result;
            var refusal = !ChannelsOf(tenant).Contains(channel, StringComparer.Ordinal) ? StepUpErrorCodes.ChannelNotSupported
                // Authy devices are not enrolled here, so an AUTHY step-up has no device to go to.
                : devices.Count == 0 ? StepUpErrorCodes.ChannelNotRegistered
                : read.InFlight.Value is { } inFlight && now < inFlight.ExpiresAt && board.Any(s => s.ChallengeId == inFlight.ChallengeId)
                    ? StepUpErrorCodes.StateInvalid
                : !countRead.Result.Allowed ? StepUpErrorCodes.ChallengeLimitExceeded
                : null;
            if (refusal is not null)
            {
                return Done(StepUpErrors.Refused(refusal));
            }
            var id = ChallengeIds.New(HashTags.User(tenant.Id, userId));
            var prepared = push.Prepare(tenant, id, userId, devices, board, origin, null, PushChallengeStates.StepUp);
            var showing = prepared.Show();
            var started = await challenges.CommitAsync(prepared.Write,
                StepUpStore.StartWrite(tenant.Id, userId, read, new StepUpInFlightRecord(id, prepared.Challenge.ExpiresAt),
                    tenant.Limits.PushLifetime, reference, new StepUpRefRecord(fingerprint, now, true, id)),
                countRead.Result.Write);
            await showing;
            if (!started)
            {
                return Attempt.Conflict<Outcome<string>>();
            }
            prepared.Announce();
            return Done(id);
        });

        static Attempt<Outcome<string>> Done(Outcome<string> outcome) => outcome;
    }

    /// <summary>The step-up's status; an approved one hands out its step-up token once.</summary>
    public Task<Outcome<StepUpStatusResponse>> GetAsync(Tenant tenant, string userId, string id)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return retry.RunAsync<Outcome<StepUpStatusResponse>>("reading a step-up", async _ =>
        {
            var current = await challenges.ReadAsync(tenant.Id, id);
            if (current is not { Value: var c } || c.Purpose != PushChallengeStates.StepUp || c.UserId != userId)
            {
                return Done(ApiError.NotFound("No such step-up challenge for this user."));
            }
            var now = time.GetUtcNow();
            var status = c.State switch
            {
                PushChallengeStates.Approved => StepUpStatuses.Approved,
                PushChallengeStates.Rejected => StepUpStatuses.Rejected,
                _ => current.IsOpenAt(now) ? StepUpStatuses.Pending : StepUpStatuses.Expired,
            };
            if (status != StepUpStatuses.Approved || c.TokenIssued)
            {
                return Done(new StepUpStatusResponse(id, status, null));
            }
            if (!await challenges.CommitAsync(challenges.Write(tenant.Id, current, c with { TokenIssued = true })))
            {
                return Attempt.Conflict<Outcome<StepUpStatusResponse>>();
            }
            var token = tokens.Issue(tenant.Id, userId, PushService.StepUpActionCode, id, [Scopes.ReadAuthenticators], acr: "stepup",
                authTime: c.AnsweredAt ?? now);
            return Done(new StepUpStatusResponse(id, status, token));
        });

        static Attempt<Outcome<StepUpStatusResponse>> Done(Outcome<StepUpStatusResponse> outcome) => outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Step-up idempotency reference reused with another payload for tenant {TenantId}")]
    private static partial void LogRefMismatch(ILogger logger, string tenantId);
}
