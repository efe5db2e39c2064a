using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;

namespace Challenges.Api.Otp;

/// <summary>
/// The Server API's passwordless OTP challenges (SMS, WhatsApp, email): initiate, verify, claim for a user, and look
/// up. Every limit of docs/contract.md §6 is counted in the store, so it holds across server processes.
/// </summary>
public sealed class PasswordlessService(
    OtpChallengeStore challenges,
    OtpSender sender,
    OtpCodes codes,
    UserStore users,
    ActionCompletion completion,
    RateCounter limits,
    ConflictRetry retry,
    TimeProvider time)
{
    public sealed record ServerVerification(bool IsVerified, string? VerificationMethod, string? Email, string? PhoneNumber, string? FailureReason);

    public sealed record Claimed(string Token, string VerificationMethod);

    /// <summary>
    /// Starts a passwordless challenge: bound to <c>userId</c> when given (and stored in that user's slot), else unbound
    /// until claimed. The limits are counted, the code delivered, and only then is the challenge stored: a refused
    /// delivery leaves nothing that could be verified.
    /// </summary>
    public async Task<Outcome<OtpChallengeRecord>> InitiateAsync(Tenant tenant, InitiateChallengeRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var method = request.VerificationMethod!;
        if (!tenant.Allows(method))
        {
            return ApiError.Invalid($"verificationMethod: {method} is not enabled for this tenant.");
        }
        var channel = OtpSender.ChannelOf(method, request.SmsChannel);
        var isEmail = channel == OtpChannel.Email;
        var draft = sender.Draft(tenant, OtpChallengeStore.NewId(tenant.Id, request.UserId), OtpOrigins.Server, method, channel) with
        {
            PhoneNumber = isEmail ? null : request.PhoneNumber,
            Email = isEmail ? request.Email : null,
            UserId = request.UserId,
            ActionCode = request.Action!,
            IdempotencyKey = request.IdempotencyKey ?? Ids.New(),
            Scope = request.Scope,
            Locale = request.Locale,
            IpAddress = request.IpAddress,
            UserAgent = request.UserAgent,
            DeviceId = request.DeviceId,
            Custom = request.Custom,
        };
        // A user the backend names may have verified this destination: then the destination's anti-pumping limit does not apply.
        var owner = request.UserId is { } userId && (await users.GetAsync(tenant.Id, userId)).HasVerified(draft.Destination!);
        List<(RateRule, string)> hits = [.. OtpSender.DestinationLimit(channel, draft.Destination!, owner)];
        if (request.UserId is { } user)
        {
            hits.Add(OtpSender.UserLimit(channel, user));
        }
        // The Server API is called by the backend: only the end user's address it reports counts, never the backend's own.
        if (request.IpAddress is { } address)
        {
            hits.Add((RateRule.StartsPerIp, address));
        }
        if (await limits.HitAllAsync(tenant, [.. hits]) is { } limited)
        {
            return limited;
        }
        if ((await sender.DeliverAsync(tenant, draft, channel)).Failed(out var undelivered, out var challenge))
        {
            return undelivered;
        }
        await challenges.CreateAsync(tenant.Id, challenge, tenant.Limits.OtpLifetime);
        sender.Started(tenant, channel);
        return challenge;
    }

    public async Task<Outcome<ServerVerification>> VerifyAsync(Tenant tenant, string challengeId, string code)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var stored = await challenges.ReadAsync(tenant.Id, challengeId);
        if (stored is null || stored.Value.Origin != OtpOrigins.Server || stored.Value.CodeHash is null)
        {
            return ApiError.NotFound("No such challenge.");
        }
        // A passwordless challenge has no user yet: its destination stands for the user.
        var subject = stored.Value.UserId ?? "to:" + stored.Value.Destination!.ToUpperInvariant();
        if (await limits.HitAsync(tenant, RateRule.VerifiesPerUser, subject) is { } limited)
        {
            return limited;
        }
        var (after, failure) = await retry.RunAsync<(OtpChallengeRecord, string?)>("verifying an OTP", async attempt =>
        {
            var current = attempt == 1 ? stored : await challenges.ReadAsync(tenant.Id, challengeId);
            if (current is null)
            {
                return (stored.Value, FailureReasons.CodeInvalidOrExpired);
            }
            var check = CodeCheck.Of(current.Value, code, codes, time.GetUtcNow());
            if (check.Next is null)
            {
                return (current.Value, check.Failure);
            }
            if (!await challenges.ReplaceAsync(tenant.Id, current, check.Next, tenant.Limits.OtpLifetime))
            {
                return Attempt.Conflict<(OtpChallengeRecord, string?)>();
            }
            if (check.EndedAs is { } ended)
            {
                sender.Completed(tenant, check.Next, ended);
            }
            return (check.Next, check.Failure);
        });
        return failure is null
            ? new ServerVerification(true, after.VerificationMethod, after.Email, after.PhoneNumber, null)
            : new ServerVerification(false, after.VerificationMethod, null, null, failure);
    }

    /// <summary>
    /// Binds a verified passwordless challenge to <paramref name="userId"/>, once, and records its action as
    /// CHALLENGE_SUCCEEDED, so the returned token validates (once).
    /// </summary>
    public async Task<Outcome<Claimed>> ClaimAsync(Tenant tenant, string challengeId, string userId, bool skipVerificationCheck)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var lifetime = tenant.Limits.OtpLifetime;
        var claimed = await retry.RunAsync<Outcome<OtpChallengeRecord>>("claiming an OTP challenge", async _ =>
        {
            var current = await challenges.ReadAsync(tenant.Id, challengeId);
            if (current is null || current.Value.Origin != OtpOrigins.Server || current.Value.VerificationMethod is null)
            {
                return Done(ApiError.NotFound("No such challenge."));
            }
            var c = current.Value;
            var now = time.GetUtcNow();
            var refusal = c.ClaimedAt is not null ? ApiError.Conflict("The challenge has already been claimed.")
                : c.UserId is not null && c.UserId != userId ? ApiError.Conflict("The challenge was started for another user.")
                : c.IsDead ? ApiError.Conflict("The challenge failed: too many wrong codes.")
                : c.VerifiedAt is null && !skipVerificationCheck ? ApiError.Conflict("The challenge has not been verified.")
                : now >= (c.VerifiedAt is { } verifiedAt ? verifiedAt + lifetime : c.ExpiresAt) ? ApiError.Conflict("The challenge has expired.")
                : null;
            if (refusal is not null)
            {
                return Done(refusal);
            }
            var next = c with { ClaimedAt = now, UserId = userId };
            return await challenges.ReplaceAsync(tenant.Id, current, next, lifetime) ? Done(next) : Attempt.Conflict<Outcome<OtpChallengeRecord>>();
        });
        if (claimed.Failed(out var error, out var c))
        {
            return error;
        }
        var user = await users.GetAsync(tenant.Id, userId);
        var token = await completion.RecordClaimAsync(tenant, new ActionRecord
        {
            UserId = userId,
            ActionCode = c.ActionCode,
            IdempotencyKey = c.IdempotencyKey,
            State = ActionStates.ChallengeSucceeded,
            CreatedAt = c.ClaimedAt!.Value,
            StateUpdatedAt = c.ClaimedAt!.Value,
            VerificationMethod = c.VerificationMethod,
            ChallengeId = c.Id,
            Scope = c.Scope,
            IpAddress = c.IpAddress,
            UserAgent = c.UserAgent,
            DeviceId = c.DeviceId,
            Email = c.Email,
            PhoneNumber = c.PhoneNumber,
            Locale = c.Locale,
            Custom = c.Custom,
            UserGeneration = user.Generation,
        });
        return new Claimed(token, c.VerificationMethod!);

        static Attempt<Outcome<OtpChallengeRecord>> Done(Outcome<OtpChallengeRecord> outcome) => outcome;
    }

    /// <summary>The pending challenge by id, or the user's latest pending one matching the filters; null when none.</summary>
    public async Task<OtpChallengeRecord?> LookupAsync(Tenant tenant, ChallengeQuery query)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow();
        bool Matches(OtpChallengeRecord c) =>
            c.IsPending(now) &&
            (query.UserId is null || c.UserId == query.UserId) &&
            (query.Action is null || c.ActionCode == query.Action) &&
            (query.VerificationMethod is null || c.VerificationMethod == query.VerificationMethod);
        if (query.ChallengeId is { } id)
        {
            var found = await challenges.ReadAsync(tenant.Id, id);
            return found is not null && Matches(found.Value) ? found.Value : null;
        }
        // Reserved client challenges (no method, no code) are found by id only.
        var list = await challenges.ListForUserAsync(tenant.Id, query.UserId!, tenant.Limits.OtpLifetime);
        return list.Where(c => c.VerificationMethod is not null && Matches(c)).OrderByDescending(c => c.CreatedAt).FirstOrDefault();
    }
}
