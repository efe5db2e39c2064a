using Challenges.Api.Actions;
using Challenges.Api.Delivery;
using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Otp;

/// <summary>
/// OTP challenges over SMS, WhatsApp and email, for the Server API (passwordless: initiate, verify, claim, look up)
/// and the Client API (enrol, start, verify for a client token's action). Delivery goes through one sender per
/// channel; every limit of CONTRACT.md 6 is counted in the store so it holds across server processes.
/// </summary>
public sealed partial class OtpService(
    OtpStore challenges,
    OtpCodes codes,
    ActionStore actions,
    ActionService actionService,
    UserStore users,
    TokenService tokens,
    RateLimiter limiter,
    ISmsSender sms,
    IWhatsAppSender whatsApp,
    IEmailSender email,
    ChallengeMetrics metrics,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<OtpService> logger)
{
    /// <summary>Unverified OTP authenticators older than this are dropped when the user enrols again.</summary>
    private static readonly TimeSpan AbandonedEnrolment = TimeSpan.FromDays(1);

    public sealed record ServerVerification(bool IsVerified, string? VerificationMethod, string? Email, string? PhoneNumber, string? FailureReason);

    public sealed record Claimed(string Token, string VerificationMethod);

    public sealed record ClientVerification(bool IsVerified, string? AccessToken, string? FailureReason, AuthenticatorResponse? UserAuthenticator);

    // ---- Server API -------------------------------------------------------------------------------------------

    /// <summary>Starts a passwordless challenge: bound to <c>userId</c> when given, else unbound until claimed.</summary>
    public async Task<OtpOutcome<OtpChallengeRecord>> InitiateAsync(Tenant tenant, InitiateChallengeRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var method = request.VerificationMethod!;
        if (!tenant.Allows(method))
        {
            return OtpOutcome.Fail<OtpChallengeRecord>(ApiError.Invalid($"verificationMethod: {method} is not enabled for this tenant."));
        }
        var isEmail = method == VerificationMethods.EmailOtp;
        var channel = isEmail ? OtpChannel.Email
            : method == VerificationMethods.WhatsApp || request.SmsChannel == SmsChannels.WhatsApp ? OtpChannel.WhatsApp
            : OtpChannel.Sms;
        var draft = NewChallenge(tenant, OtpOrigins.Server, method, channel) with
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
        // The Server API is called by the backend: only the end user's address it reports counts, never the backend's own.
        return await SendAsync(tenant, draft, channel, request.IpAddress, owner);
    }

    public async Task<OtpOutcome<ServerVerification>> VerifyAsync(Tenant tenant, string challengeId, string code)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var stored = await challenges.GetAsync(tenant.Id, challengeId);
        if (stored is null || stored.Value.Origin != OtpOrigins.Server || stored.Value.CodeHash is null)
        {
            return OtpOutcome.Fail<ServerVerification>(ApiError.NotFound("No such challenge."));
        }
        var challenge = stored.Value;
        // A passwordless challenge has no user yet: its destination stands for the user.
        var subject = challenge.UserId ?? "to:" + challenge.Destination!.ToUpperInvariant();
        if (await limiter.HitAsync(tenant, RateRule.VerifiesPerUser, subject) is { } limited)
        {
            return OtpOutcome.Fail<ServerVerification>(limited);
        }
        var (after, failure) = await CheckCodeAsync(tenant, stored, code);
        return OtpOutcome.Ok<ServerVerification>(failure is null
            ? new ServerVerification(true, after.VerificationMethod, after.Email, after.PhoneNumber, null)
            : new ServerVerification(false, after.VerificationMethod, null, null, failure));
    }

    /// <summary>
    /// Binds a verified passwordless challenge to <paramref name="userId"/>, once, and records its action as
    /// CHALLENGE_SUCCEEDED, so the returned token validates (once).
    /// </summary>
    public async Task<OtpOutcome<Claimed>> ClaimAsync(Tenant tenant, string challengeId, string userId, bool skipVerificationCheck)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var stored = await challenges.GetAsync(tenant.Id, challengeId);
        if (stored is null || stored.Value.Origin != OtpOrigins.Server || stored.Value.VerificationMethod is null)
        {
            return OtpOutcome.Fail<Claimed>(ApiError.NotFound("No such challenge."));
        }
        var lifetime = tenant.Limits.OtpLifetime;
        return await retry.RunAsync<OtpOutcome<Claimed>>("claiming an OTP challenge", async attempt =>
        {
            var current = attempt == 1 ? stored : await challenges.GetAsync(tenant.Id, challengeId);
            if (current is null)
            {
                return OtpOutcome.Fail<Claimed>(ApiError.NotFound("No such challenge."));
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
                return OtpOutcome.Fail<Claimed>(refusal);
            }
            var claimed = c with { ClaimedAt = now, UserId = userId };
            if (!await challenges.ReplaceAsync(tenant.Id, current, claimed, lifetime))
            {
                return Attempt.Conflict<OtpOutcome<Claimed>>();
            }
            var action = await RecordClaimAsync(tenant, claimed, now);
            return OtpOutcome.Ok<Claimed>(new Claimed(actionService.IssueToken(tenant, action), claimed.VerificationMethod!));
        });
    }

    private async Task<ActionRecord> RecordClaimAsync(Tenant tenant, OtpChallengeRecord c, DateTimeOffset now)
    {
        var retention = tenant.Limits.ActionRetention;
        var user = await users.GetAsync(tenant.Id, c.UserId!);
        var (action, created) = await actions.CreateAsync(tenant.Id, new ActionRecord
        {
            UserId = c.UserId!,
            ActionCode = c.ActionCode,
            IdempotencyKey = c.IdempotencyKey,
            State = ActionStates.ChallengeSucceeded,
            CreatedAt = now,
            StateUpdatedAt = now,
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
        }, retention);
        if (created)
        {
            return action;
        }
        // The backend reused an action's idempotency key for a new challenge: this success is the action's latest word.
        // Validation stays single use: an action already validated stays validated, whatever is claimed for it later.
        return await actions.UpdateAsync(tenant.Id, c.UserId!, c.ActionCode, c.IdempotencyKey, a => a with
        {
            State = ActionStates.ChallengeSucceeded,
            StateUpdatedAt = now,
            VerificationMethod = c.VerificationMethod,
            ChallengeId = c.Id,
        }, retention) ?? action;
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
            var found = await challenges.GetAsync(tenant.Id, id);
            return found is not null && Matches(found.Value) ? found.Value : null;
        }
        // Reserved client challenges (no method, no code) are found by id only.
        var list = await challenges.ListForUserAsync(tenant.Id, query.UserId!, tenant.Limits.OtpLifetime);
        return list.Where(c => c.VerificationMethod is not null && Matches(c)).OrderByDescending(c => c.CreatedAt).FirstOrDefault();
    }

    // ---- Client API -------------------------------------------------------------------------------------------

    /// <summary>
    /// Adds an unverified SMS or email-OTP authenticator (or reuses the one with the same destination) and sends it
    /// a code; verifying the code completes the enrolment. An enrolled user needs <c>add:authenticators</c>.
    /// </summary>
    public async Task<OtpOutcome<AuthenticatorRecord>> EnrolAsync(Tenant tenant, ClientToken token, string method, string destination,
        string? smsChannel, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        var prepared = await ActionForChallengeAsync(tenant, token, method);
        if (prepared.Value is not { } action)
        {
            return OtpOutcome.Fail<AuthenticatorRecord>(prepared.Error!);
        }
        var isEmail = method == VerificationMethods.EmailOtp;
        var now = time.GetUtcNow();
        AuthenticatorRecord? authenticator = null;
        ApiError? refusal = null;
        var added = false;
        var toOwnDestination = false;
        await users.UpdateAsync(tenant.Id, token.UserId, user =>
        {
            var existing = user.Authenticators.FirstOrDefault(a => a.VerificationMethod == method &&
                (isEmail ? string.Equals(a.Email, destination, StringComparison.OrdinalIgnoreCase) : a.PhoneNumber == destination));
            var kept = user with
            {
                Authenticators = user.Authenticators.Where(a => a.IsVerified || a == existing || a.PublicKey is not null ||
                    now - a.CreatedAt < AbandonedEnrolment).ToList(),
            };
            refusal = EnrolmentPolicy.CheckUser(tenant, kept, token, action, method, adding: existing is null);
            if (refusal is not null)
            {
                return null;
            }
            added = existing is null;
            toOwnDestination = user.HasVerified(destination);
            authenticator = existing
                ?? new AuthenticatorRecord
                {
                    Id = Ids.New(),
                    VerificationMethod = method,
                    CreatedAt = now,
                    PhoneNumber = isEmail ? null : destination,
                    Email = isEmail ? destination : null,
                };
            return UserService.WithAuthenticator(kept, authenticator);
        });
        if (refusal is not null)
        {
            return OtpOutcome.Fail<AuthenticatorRecord>(refusal);
        }
        var channel = isEmail ? OtpChannel.Email : smsChannel == SmsChannels.WhatsApp ? OtpChannel.WhatsApp : OtpChannel.Sms;
        var started = await StartForAuthenticatorAsync(tenant, token, action, method, channel, authenticator!, toOwnDestination, clientAddress);
        if (started.Error is { } error)
        {
            if (added)
            {
                // Nothing was sent: an authenticator that exists only for this enrolment would be a dead end.
                var id = authenticator!.Id;
                await users.UpdateAsync(tenant.Id, token.UserId, user => user.Find(id) is { IsVerified: false } unused
                    ? user with { Authenticators = user.Authenticators.Where(a => a != unused).ToList() }
                    : null);
            }
            return OtpOutcome.Fail<AuthenticatorRecord>(error);
        }
        return OtpOutcome.Ok<AuthenticatorRecord>(authenticator!);
    }

    /// <summary>
    /// Sends a code to the user's authenticator for <paramref name="method"/>: a verified one; else one whose enrolment
    /// is unfinished, when the user may enrol (not yet enrolled, or the token has add:authenticators). WhatsApp uses a
    /// WhatsApp authenticator, else the phone number of an SMS one.
    /// </summary>
    public async Task<OtpOutcome<OtpChallengeRecord>> StartAsync(Tenant tenant, ClientToken token, string method, string? smsChannel,
        string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        // The action and the user live in the same slot; read them together.
        var preparing = ActionForChallengeAsync(tenant, token, method);
        var reading = users.GetAsync(tenant.Id, token.UserId);
        await Task.WhenAll(preparing, reading);
        var user = await reading;
        if ((await preparing).Value is not { } action)
        {
            return OtpOutcome.Fail<OtpChallengeRecord>((await preparing).Error!);
        }
        string[] usable = method switch
        {
            VerificationMethods.WhatsApp => [VerificationMethods.WhatsApp, VerificationMethods.Sms],
            _ => [method],
        };
        // An unverified authenticator is an enrolment still going on: only a token that may enrol can continue it.
        var mayEnrol = EnrolmentPolicy.CheckUser(tenant, user, token, action, method, adding: false) is null;
        var candidates = user.Authenticators.Where(a => usable.Contains(a.VerificationMethod) && (a.IsVerified || mayEnrol))
            .OrderByDescending(a => a.IsVerified)
            .ThenBy(a => Array.IndexOf(usable, a.VerificationMethod))
            .ThenByDescending(a => a.IsDefault)
            .ThenByDescending(a => a.CreatedAt);
        if (candidates.FirstOrDefault() is not { } authenticator)
        {
            return OtpOutcome.Fail<OtpChallengeRecord>(ApiError.NotFound($"The user has no {Describe(method)} authenticator."));
        }
        var channel = method switch
        {
            VerificationMethods.EmailOtp => OtpChannel.Email,
            VerificationMethods.WhatsApp => OtpChannel.WhatsApp,
            _ => smsChannel == SmsChannels.WhatsApp ? OtpChannel.WhatsApp : OtpChannel.Sms,
        };
        return await StartForAuthenticatorAsync(tenant, token, action, method, channel, authenticator,
            user.HasVerified(authenticator.Email ?? authenticator.PhoneNumber!), clientAddress);
    }

    /// <summary>
    /// Checks the code against the token's action's latest challenge. Success: the action moves to
    /// CHALLENGE_SUCCEEDED, the authenticator is verified (enrolment) and its lastVerifiedAt set, and a fresh token
    /// is issued. Too many wrong codes: the action moves to CHALLENGE_FAILED.
    /// </summary>
    public async Task<OtpOutcome<ClientVerification>> VerifyAsync(Tenant tenant, ClientToken token, string method, string code)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        var counting = limiter.HitAsync(tenant, RateRule.VerifiesPerUser, token.UserId);
        var reading = actions.GetStoredAsync(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey);
        await Task.WhenAll(counting, reading);
        if (await counting is { } limited)
        {
            return OtpOutcome.Fail<ClientVerification>(limited);
        }
        var storedAction = await reading;
        var action = storedAction?.Value;
        var stored = action?.ChallengeId is { } challengeId ? await challenges.GetAsync(tenant.Id, challengeId) : null;
        if (stored is null || stored.Value.Origin != OtpOrigins.Client || stored.Value.VerificationMethod != method ||
            stored.Value.UserId != token.UserId || stored.Value.CodeHash is null)
        {
            return OtpOutcome.Fail<ClientVerification>(ApiError.NotFound($"No {Describe(method)} challenge has been started with this token."));
        }
        var (challenge, failure) = await CheckCodeAsync(tenant, stored, code);
        if (failure is not null)
        {
            if (failure == FailureReasons.MaxAttemptsExceeded)
            {
                await actionService.CompleteChallengeAsync(tenant, token, succeeded: false, method, storedAction);
            }
            return OtpOutcome.Ok<ClientVerification>(new ClientVerification(false, null, failure, null));
        }
        var now = time.GetUtcNow();
        AuthenticatorRecord? verified = null;
        if (challenge.AuthenticatorId is { } authenticatorId)
        {
            await users.UpdateAsync(tenant.Id, token.UserId, user =>
            {
                verified = user.Find(authenticatorId) is { } a ? a with { VerifiedAt = a.VerifiedAt ?? now, LastVerifiedAt = now } : null;
                return verified is null ? null : UserService.WithAuthenticator(user, verified) with
                {
                    Email = user.Email ?? verified.Email,
                    PhoneNumber = user.PhoneNumber ?? verified.PhoneNumber,
                };
            });
        }
        var completed = await actionService.CompleteChallengeAsync(tenant, token, succeeded: true, method, storedAction) ?? action!;
        // The user has just passed a challenge in this session, so the fresh token may also enrol further authenticators (ours).
        var scopes = Scopes.Parse(completed.Scope).Append(Scopes.AddAuthenticators).Distinct(StringComparer.Ordinal);
        var accessToken = tokens.Issue(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey, scopes, completed.Username ?? token.Username);
        return OtpOutcome.Ok<ClientVerification>(new ClientVerification(true, accessToken, null,
            challenge.Enrolment && verified is not null ? AuthenticatorResponse.From(token.UserId, verified) : null));
    }

    /// <summary>
    /// POST /v1/client/challenge (ours): reserves a challenge id, with no code and nothing sent, for a later step of a
    /// sign-in to refer to. With a token it belongs to the token's user and action; with tenant Basic it is unbound and
    /// names the action given. It does not replace the action's latest OTP challenge. It expires like an OTP and counts
    /// as a challenge start for the caller's address.
    /// </summary>
    public async Task<OtpOutcome<OtpChallengeRecord>> ReserveAsync(Tenant tenant, ClientToken? token, string? actionCode, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (await limiter.HitAsync(tenant, RateRule.StartsPerIp, clientAddress) is { } limited)
        {
            return OtpOutcome.Fail<OtpChallengeRecord>(limited);
        }
        var now = time.GetUtcNow();
        var challenge = new OtpChallengeRecord
        {
            Id = Ids.New(),
            Origin = OtpOrigins.Client,
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.OtpLifetime,
            MaxAttempts = tenant.Limits.OtpMaxAttempts,
            UserId = token?.UserId,
            ActionCode = token?.ActionCode ?? actionCode ?? "",
            IdempotencyKey = token?.IdempotencyKey ?? Ids.New(),
        };
        await challenges.CreateAsync(tenant.Id, challenge, tenant.Limits.OtpLifetime);
        return OtpOutcome.Ok<OtpChallengeRecord>(challenge);
    }

    /// <summary>The token's user's verified authenticators.</summary>
    public async Task<IReadOnlyList<AuthenticatorResponse>> ListAuthenticatorsAsync(Tenant tenant, ClientToken token)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        var user = await users.GetAsync(tenant.Id, token.UserId);
        return user.Verified.Select(a => AuthenticatorResponse.From(token.UserId, a)).ToList();
    }

    // ---- Shared -----------------------------------------------------------------------------------------------

    private static string Describe(string method) => method switch
    {
        VerificationMethods.EmailOtp => "email OTP",
        VerificationMethods.WhatsApp => "WhatsApp",
        _ => "SMS",
    };

    /// <summary>
    /// The token's action, if the method is enabled and the action may still be challenged: the enrolment rule, since an
    /// OTP start may also send to an authenticator whose enrolment is unfinished.
    /// </summary>
    private async Task<OtpOutcome<ActionRecord>> ActionForChallengeAsync(Tenant tenant, ClientToken token, string method)
    {
        var action = tenant.Allows(method) ? await actions.GetAsync(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey) : null;
        return EnrolmentPolicy.CheckAction(tenant, method, action) is { } refusal
            ? OtpOutcome.Fail<ActionRecord>(refusal)
            : OtpOutcome.Ok<ActionRecord>(action!);
    }

    private async Task<OtpOutcome<OtpChallengeRecord>> StartForAuthenticatorAsync(Tenant tenant, ClientToken token, ActionRecord action,
        string method, OtpChannel channel, AuthenticatorRecord authenticator, bool toOwnDestination, string clientAddress)
    {
        var isEmail = channel == OtpChannel.Email;
        var draft = NewChallenge(tenant, OtpOrigins.Client, method, channel) with
        {
            PhoneNumber = isEmail ? null : authenticator.PhoneNumber,
            Email = isEmail ? authenticator.Email : null,
            UserId = token.UserId,
            ActionCode = token.ActionCode,
            IdempotencyKey = token.IdempotencyKey,
            AuthenticatorId = authenticator.Id,
            Enrolment = !authenticator.IsVerified,
            Locale = action.Locale,
        };
        // The action points at its latest challenge; that write goes out with the challenge's own (one round trip).
        return await SendAsync(tenant, draft, channel, clientAddress, toOwnDestination, challenge => actions.UpdateAsync(tenant.Id, token.UserId,
            token.ActionCode, token.IdempotencyKey, a => a with { ChallengeId = challenge.Id }, tenant.Limits.ActionRetention));
    }

    private OtpChallengeRecord NewChallenge(Tenant tenant, string origin, string method, OtpChannel channel)
    {
        var now = time.GetUtcNow();
        return new OtpChallengeRecord
        {
            Id = Ids.New(),
            Origin = origin,
            VerificationMethod = method,
            SmsChannel = channel switch
            {
                OtpChannel.WhatsApp => SmsChannels.WhatsApp,
                OtpChannel.Sms => SmsChannels.Default,
                _ => null,
            },
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.OtpLifetime,
            MaxAttempts = tenant.Limits.OtpMaxAttempts,
            ActionCode = "",
            IdempotencyKey = "",
        };
    }

    /// <summary>
    /// Counts the limits, makes the code, delivers it synchronously and only then stores the challenge: a refused
    /// delivery leaves nothing that could be verified. The per-destination limit (anti-pumping) does not apply to a
    /// user's sends to a destination that user has verified (<paramref name="toOwnDestination"/>): nobody else can use
    /// up the sends of someone's verified phone or email.
    /// </summary>
    private async Task<OtpOutcome<OtpChallengeRecord>> SendAsync(Tenant tenant, OtpChallengeRecord draft, OtpChannel channel, string? address,
        bool toOwnDestination, Func<OtpChallengeRecord, Task>? alongside = null)
    {
        var limits = tenant.Limits;
        var isEmail = channel == OtpChannel.Email;
        var destination = draft.Destination!;
        var hits = new List<(RateRule Rule, string Subject)>();
        if (!toOwnDestination)
        {
            hits.Add((isEmail ? RateRule.EmailSendsPerDestination : RateRule.PhoneSendsPerDestination, destination.ToUpperInvariant()));
        }
        if (draft.UserId is { } userId)
        {
            hits.Add((isEmail ? RateRule.EmailSendsPerUser : RateRule.PhoneSendsPerUser, userId));
        }
        if (address is not null)
        {
            hits.Add((RateRule.StartsPerIp, address));
        }
        if (await limiter.HitAllAsync(tenant, [.. hits]) is { } limited)
        {
            return OtpOutcome.Fail<OtpChallengeRecord>(limited);
        }
        var code = OtpCodes.Generate(limits.OtpLength);
        var challenge = draft with { CodeHash = codes.Hash(draft.Id, code) };
        var message = new OtpMessage(destination, code, draft.UserId, draft.ActionCode, draft.IdempotencyKey, draft.Locale, limits.OtpLifetime);
        var (name, provider, method) = channel switch
        {
            OtpChannel.Email => ("email", tenant.Options.Delivery.Email, VerificationMethods.EmailOtp),
            OtpChannel.WhatsApp => ("whatsapp", tenant.Options.Delivery.WhatsApp, VerificationMethods.WhatsApp),
            _ => ("sms", tenant.Options.Delivery.Sms, VerificationMethods.Sms),
        };
        var delivered = await metrics.DeliverAsync(name, provider, () => channel switch
        {
            OtpChannel.Email => email.SendAsync(tenant, message),
            OtpChannel.WhatsApp => whatsApp.SendAsync(tenant, message),
            _ => sms.SendAsync(tenant, message),
        });
        if (!delivered.Delivered)
        {
            LogNotDelivered(logger, tenant.Id, channel);
            return OtpOutcome.Fail<OtpChallengeRecord>(new ApiError(ErrorCodes.DeliveryFailed,
                $"The code could not be delivered: {delivered.Detail} No challenge was started."));
        }
        await Task.WhenAll(challenges.CreateAsync(tenant.Id, challenge, limits.OtpLifetime), alongside?.Invoke(challenge) ?? Task.CompletedTask);
        metrics.Started(tenant.Id, method);
        return OtpOutcome.Ok<OtpChallengeRecord>(challenge);
    }

    /// <summary>
    /// One verify, applied by compare-and-set so that concurrent guesses are each counted exactly once: a used, expired
    /// or dead challenge changes nothing; a right code marks it verified; a wrong one counts an attempt, and the
    /// attempt that reaches the limit kills the challenge. Returns the challenge afterwards and the failure reason.
    /// </summary>
    private Task<(OtpChallengeRecord Challenge, string? Failure)> CheckCodeAsync(Tenant tenant, Stored<OtpChallengeRecord> stored, string code) =>
        retry.RunAsync<(OtpChallengeRecord, string?)>("verifying an OTP", async attempt =>
        {
            var current = attempt == 1 ? stored : await challenges.GetAsync(tenant.Id, stored.Value.Id);
            if (current is null)
            {
                return (stored.Value, FailureReasons.CodeInvalidOrExpired);
            }
            var c = current.Value;
            var now = time.GetUtcNow();
            if (c.IsDead)
            {
                return (c, FailureReasons.MaxAttemptsExceeded);
            }
            if (c.VerifiedAt is not null || c.ClaimedAt is not null || now >= c.ExpiresAt)
            {
                return (c, FailureReasons.CodeInvalidOrExpired);
            }
            var right = codes.Matches(c.Id, code, c.CodeHash);
            var next = right ? c with { VerifiedAt = now } : c with { Attempts = c.Attempts + 1 };
            if (!await challenges.ReplaceAsync(tenant.Id, current, next, tenant.Limits.OtpLifetime))
            {
                return Attempt.Conflict<(OtpChallengeRecord, string?)>();
            }
            if (right || next.IsDead)
            {
                metrics.Completed(tenant.Id, c.VerificationMethod ?? "OTP", right ? "verified" : "max_attempts");
            }
            return (next, right ? null : next.IsDead ? FailureReasons.MaxAttemptsExceeded : FailureReasons.CodeInvalidOrExpired);
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "OTP for tenant {TenantId} not delivered by {Channel}; no challenge started")]
    private static partial void LogNotDelivered(ILogger logger, string tenantId, OtpChannel channel);
}
