using System.Buffers.Text;
using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.Passkeys;

/// <summary>
/// Passkeys and security keys (WebAuthn) on the <see cref="VerificationFlow"/>. With a client token: registration
/// options are a challenge start (stored beside the action), adding the credential is a proof check whose success
/// creates the authenticator, authentication options are a start and the assertion a proof check that moves the
/// credential's counter. Without a token (tenant Basic, a passwordless sign-in): options for an id reserved by
/// <c>POST /v1/client/challenge</c> or for a fresh one, and an assertion whose credential names the user, who gets a
/// token for a succeeded action. Challenges are single use, bound to their id and their action or sign-in, and live
/// <see cref="PasskeyOptions.ChallengeLifetime"/>.
/// </summary>
public sealed partial class PasskeyService(
    VerificationFlow flow,
    PasskeyStore passkeys,
    UserStore users,
    OtpChallengeStore reservations,
    ActionCompletion completion,
    RateCounter limits,
    TimeProvider time,
    ILogger<PasskeyService> logger)
{
    /// <summary>The action of a passwordless passkey sign-in that reserved no challenge (ours: the docs' example).</summary>
    public const string SignInAction = "signInWithPasskey";

    /// <summary>Credential ids one existence probe may name.</summary>
    public const int MaxProbedIds = 20;

    private static string Describe(string method) => method == VerificationMethods.SecurityKey ? "security key" : "passkey";

    private static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static ApiError UnknownCredential() =>
        new(ErrorCodes.UnknownCredential, "The credential is not a passkey of this tenant (it may have been removed).");

    private static ApiError NotThisUsers() =>
        ApiError.InvalidCredential("The credential is not one of this user's passkeys.");

    /// <summary>The user's WebAuthn credentials as descriptors (every method: one RP, one list of what the device holds).</summary>
    private static CredentialDescriptorJson[] Descriptors(IEnumerable<AuthenticatorRecord> authenticators) =>
        authenticators.Where(a => a.WebAuthn is not null)
            .Select(a => new CredentialDescriptorJson(a.WebAuthn!.CredentialId, "public-key", a.WebAuthn.Transports)).ToArray();

    private static long TimeoutOf(PasskeyOptions rp) => (long)rp.ChallengeLifetime.TotalMilliseconds;

    /// <summary>True when <paramref name="userId"/> no longer holds the credential (an index entry left behind).</summary>
    private async Task<bool> NoLongerHoldsAsync(string tenantId, string userId, string credentialId) =>
        !(await users.GetAsync(tenantId, userId)).Authenticators.Any(a => a.WebAuthn?.CredentialId == credentialId);

    /// <summary>Marks a credential whose counter went back: it is refused from now on.</summary>
    private async Task FlagClonedAsync(string tenantId, string userId, string authenticatorId)
    {
        var now = time.GetUtcNow();
        await users.UpdateAsync(tenantId, userId, user => user.Find(authenticatorId) is { WebAuthn: { ClonedAt: null } credential } found
            ? user.With(found with { WebAuthn = credential with { ClonedAt = now } })
            : null);
        LogCloned(logger, tenantId, authenticatorId);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Tenant {TenantId}: the signature counter of WebAuthn authenticator {AuthenticatorId} went back; it may be cloned and is refused from now on.")]
    private static partial void LogCloned(ILogger logger, string tenantId, string authenticatorId);

    // ---------------------------------------------------------------------------------------------------------------
    // Client token

    /// <summary>9.1 (and the security key's): creation options, the challenge stored beside the token's action.</summary>
    public Task<Outcome<RegistrationOptionsResponse>> RegistrationOptionsAsync(ClientCall call, string method, RegistrationOptionsRequest request) =>
        flow.StartAsync(call, new RegistrationStart(this, method, request));

    /// <summary>9.3 (and the security key's): the new credential checked against the action's challenge, then added verified.</summary>
    public Task<Outcome<AddPasskeyResponse>> AddAsync(ClientCall call, string method, WebAuthnCredentialJson credential, string? challengeId,
        bool conditionalCreate, string? deviceId) =>
        flow.VerifyAsync(call, new Registration(this, method, credential, challengeId, conditionalCreate, deviceId));

    /// <summary>9.4 with a token (and the security key's): request options for the user's credentials of the method.</summary>
    public Task<Outcome<AuthenticationOptionsResponse>> AuthenticationOptionsAsync(ClientCall call, string method) =>
        flow.StartAsync(call, new AuthenticationStart(this, method));

    /// <summary>9.6 with a token (and the security key's): the assertion by one of the token's user's credentials.</summary>
    public Task<Outcome<VerifyPasskeyResponse>> VerifyAsync(ClientCall call, string method, WebAuthnCredentialJson credential, string? challengeId) =>
        flow.VerifyAsync(call, new Assertion(this, method, credential, challengeId));

    private sealed class RegistrationStart(PasskeyService service, string method, RegistrationOptionsRequest request)
        : IChallengeStart<bool, RegistrationOptionsResponse>
    {
        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.StartsPerIp, call.ClientAddress)];

        public Task<bool> ReadAsync(ClientCall call) => Task.FromResult(true);

        /// <summary>The enrolment rules, so that a token that could not add the credential learns it before the ceremony.</summary>
        public ApiError? Admit(ChallengeContext context) =>
            EnrolmentPolicy.CheckAction(context.Tenant, method, context.Action?.Value) ?? context.MayEnrol(context.User.Value, method, adding: true);

        public Task<Outcome<NewChallenge<RegistrationOptionsResponse>>> StartAsync(ChallengeContext context, bool state)
        {
            var tenant = context.Tenant;
            var rp = tenant.Options.Passkeys;
            var token = context.Token;
            var user = context.User.Value;
            var now = service.Time.GetUtcNow();
            var passkey = method == VerificationMethods.Passkey;
            var name = NonEmpty(request.Username) ?? NonEmpty(token.Username) ?? user.Username ?? user.Email ?? user.PhoneNumber ?? token.UserId;
            var displayName = NonEmpty(request.DisplayName) ?? user.DisplayName ?? name;
            var handle = Encode(RelyingParty.UserHandle(tenant.Id, token.UserId));
            var challenge = new PasskeyChallengeRecord
            {
                Id = context.Call.NewChallengeId(),
                Method = method,
                Ceremony = Ceremonies.Create,
                Challenge = Encode(RelyingParty.NewChallenge()),
                UserId = token.UserId,
                ActionCode = token.ActionCode,
                IdempotencyKey = token.IdempotencyKey,
                UserHandle = handle,
                Username = name,
                DisplayName = displayName,
                UserVerificationRequired = passkey,
                CreatedAt = now,
                ExpiresAt = now + rp.ChallengeLifetime,
            };
            var options = new CreationOptionsJson(challenge.Challenge, new RelyingPartyJson(rp.RpId, rp.RpName),
                new UserEntityJson(handle, name, displayName), RelyingParty.Algorithms, TimeoutOf(rp), "none", Descriptors(user.Authenticators),
                passkey
                    ? new AuthenticatorSelectionJson(request.AuthenticatorAttachment, "required", true, "required")
                    : new AuthenticatorSelectionJson("cross-platform", "discouraged", false, "preferred"));
            return Task.FromResult<Outcome<NewChallenge<RegistrationOptionsResponse>>>(new NewChallenge<RegistrationOptionsResponse>(challenge.Id,
                service.Passkeys.StartWrite(context.Call.Action, challenge), new RegistrationOptionsResponse(challenge.Id, options)));
        }

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>What a registration's first round trip and check found.</summary>
    private sealed record RegistrationState(Stored<PasskeyChallengeRecord>? Challenge, WebAuthnVerdict Verdict);

    private sealed class Registration(PasskeyService service, string method, WebAuthnCredentialJson credential, string? challengeId,
        bool conditionalCreate, string? deviceId) : IProofCheck<RegistrationState, AddPasskeyResponse>
    {
        private string _userId = "";
        private string? _credentialId;

        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.VerifiesPerUser, call.Token.UserId)];

        public async Task<RegistrationState> ReadAsync(ClientCall call)
        {
            var stored = await service.Passkeys.ReadForActionAsync(call.Action);
            if (stored is not { Value: var challenge } || !service.Answers(challenge, call, method, Ceremonies.Create, challengeId))
            {
                return new RegistrationState(stored, WebAuthnVerdict.Refused(WebAuthnFailures.ChallengeInvalidOrExpired));
            }
            var tenantId = call.Tenant.Id;
            var userId = call.Token.UserId;
            // conditionalCreate (web): an automatic registration after a password sign-in, which may come without UV (ours).
            var checking = challenge with { UserVerificationRequired = challenge.UserVerificationRequired && !conditionalCreate };
            var verdict = await RelyingParty.VerifyRegistrationAsync(call.Tenant.Options.Passkeys, checking, credential,
                async id => await service.Passkeys.HolderAsync(tenantId, Encode(id)) is not { } holder || holder == userId ||
                            await service.NoLongerHoldsAsync(tenantId, holder, Encode(id)),
                deviceId);
            if (verdict.Credential is { } added &&
                !await service.Passkeys.ClaimAsync(tenantId, added.CredentialId, userId, holder => service.NoLongerHoldsAsync(tenantId, holder, added.CredentialId)))
            {
                verdict = WebAuthnVerdict.Refused(WebAuthnFailures.CredentialExists);
            }
            return new RegistrationState(stored, verdict);
        }

        public Outcome<Judgement> Judge(ChallengeContext context, RegistrationState state)
        {
            _userId = context.Token.UserId;
            if (state.Challenge is not { } stored || context.Action?.Value.ChallengeId != stored.Value.Id)
            {
                return ApiError.NotFound($"No {Describe(method)} registration has been started with this token.");
            }
            var move = service.Passkeys.UseWrite(context.Tenant.Id, stored);
            if (!service.Answers(stored.Value, context.Call, method, Ceremonies.Create, challengeId))
            {
                return new Judgement(ChallengeResult.Undecided, StoreWrite.None, FailureReason: WebAuthnFailures.ChallengeInvalidOrExpired);
            }
            if (state.Verdict.Credential is not { } added)
            {
                return new Judgement(ChallengeResult.Undecided, move, "failed", FailureReason: state.Verdict.Failure);
            }
            var user = context.User.Value;
            if (user.Authenticators.Any(a => a.WebAuthn?.CredentialId == added.CredentialId))
            {
                return new Judgement(ChallengeResult.Undecided, move, "failed", FailureReason: WebAuthnFailures.CredentialExists);
            }
            if (context.MayEnrol(user, method, adding: true) is { } refusal)
            {
                return refusal;
            }
            _credentialId = added.CredentialId;
            var authenticator = new AuthenticatorRecord
            {
                Id = Ids.New(),
                VerificationMethod = method,
                CreatedAt = service.Time.GetUtcNow(),
                WebAuthn = added,
            };
            return new Judgement(ChallengeResult.Succeeded, move, "verified", authenticator.Id, TokenGrant.FollowUp, Authenticator: authenticator);
        }

        public AddPasskeyResponse Answer(Judgement judgement, Completed completed) =>
            judgement.Result == ChallengeResult.Succeeded && completed.Authenticator is { } a
                ? new AddPasskeyResponse(true, completed.AccessToken, a.Id, _userId, AuthenticatorResponse.From(_userId, a), _credentialId, null)
                : new AddPasskeyResponse(false, null, null, null, null, null, judgement.FailureReason);
    }

    private sealed class AuthenticationStart(PasskeyService service, string method) : IChallengeStart<bool, AuthenticationOptionsResponse>
    {
        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.StartsPerIp, call.ClientAddress)];

        public Task<bool> ReadAsync(ClientCall call) => Task.FromResult(true);

        public ApiError? Admit(ChallengeContext context) => EnrolmentPolicy.CheckAction(context.Tenant, method, context.Action?.Value);

        public Task<Outcome<NewChallenge<AuthenticationOptionsResponse>>> StartAsync(ChallengeContext context, bool state)
        {
            var credentials = context.User.Value.Verified.Where(a => a.VerificationMethod == method && a.WebAuthn is { ClonedAt: null }).ToList();
            if (credentials.Count == 0)
            {
                return Task.FromResult<Outcome<NewChallenge<AuthenticationOptionsResponse>>>(
                    ApiError.NotFound($"The user has no {Describe(method)}."));
            }
            var token = context.Token;
            var challenge = service.NewGetChallenge(context.Tenant, context.Call.NewChallengeId(), method, token.UserId, token.ActionCode,
                token.IdempotencyKey);
            return Task.FromResult<Outcome<NewChallenge<AuthenticationOptionsResponse>>>(new NewChallenge<AuthenticationOptionsResponse>(
                challenge.Id, service.Passkeys.StartWrite(context.Call.Action, challenge),
                new AuthenticationOptionsResponse(challenge.Id, RequestOptions(context.Tenant, challenge, Descriptors(credentials)))));
        }
    }

    /// <summary>What an assertion's first round trip and check found.</summary>
    private sealed record AssertionState(Stored<PasskeyChallengeRecord>? Challenge, AuthenticatorRecord? Authenticator, WebAuthnVerdict Verdict,
        ApiError? Refusal);

    private sealed class Assertion(PasskeyService service, string method, WebAuthnCredentialJson credential, string? challengeId)
        : IProofCheck<AssertionState, VerifyPasskeyResponse>
    {
        private UserRecord _user = UserRecord.Empty;
        private string _userId = "";

        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.VerifiesPerUser, call.Token.UserId)];

        public async Task<AssertionState> ReadAsync(ClientCall call)
        {
            var tenantId = call.Tenant.Id;
            var userId = call.Token.UserId;
            var credentialId = Encode(credential.IdBytes!);
            var reading = service.Passkeys.ReadForActionAsync(call.Action);
            var user = service.Users.ReadAsync(tenantId, userId);
            await Task.WhenAll(reading, user);
            var stored = reading.Result;
            var authenticator = user.Result.Value.Verified.FirstOrDefault(a => a.VerificationMethod == method && a.WebAuthn?.CredentialId == credentialId);
            if (authenticator is null)
            {
                // Under a token only the token's user's credentials count; one of another user's is refused, not forgotten.
                var holder = await service.Passkeys.HolderAsync(tenantId, credentialId);
                var elsewhere = holder is not null && holder != userId && !await service.NoLongerHoldsAsync(tenantId, holder, credentialId);
                return new AssertionState(stored, null, WebAuthnVerdict.Refused(WebAuthnFailures.Invalid), elsewhere ? NotThisUsers() : UnknownCredential());
            }
            if (stored is not { Value: var challenge } || !service.Answers(challenge, call, method, Ceremonies.Get, challengeId))
            {
                return new AssertionState(stored, authenticator, WebAuthnVerdict.Refused(WebAuthnFailures.ChallengeInvalidOrExpired), null);
            }
            var verdict = await RelyingParty.VerifyAssertionAsync(call.Tenant.Options.Passkeys, challenge, credential, authenticator.WebAuthn!);
            if (verdict.Failure == WebAuthnFailures.CounterRegression)
            {
                await service.FlagClonedAsync(tenantId, userId, authenticator.Id);
            }
            return new AssertionState(stored, authenticator, verdict, null);
        }

        public Outcome<Judgement> Judge(ChallengeContext context, AssertionState state)
        {
            _user = context.User.Value;
            _userId = context.Token.UserId;
            if (state.Challenge is not { } stored || context.Action?.Value.ChallengeId != stored.Value.Id)
            {
                return ApiError.NotFound($"No {Describe(method)} authentication has been started with this token.");
            }
            if (state.Refusal is { } refusal)
            {
                return refusal;
            }
            var move = service.Passkeys.UseWrite(context.Tenant.Id, stored);
            if (!service.Answers(stored.Value, context.Call, method, Ceremonies.Get, challengeId))
            {
                return new Judgement(ChallengeResult.Undecided, StoreWrite.None, FailureReason: WebAuthnFailures.ChallengeInvalidOrExpired);
            }
            if (state.Verdict.Credential is not { } moved)
            {
                return new Judgement(ChallengeResult.Undecided, move, "failed", FailureReason: state.Verdict.Failure);
            }
            // The credential checked must be the one this commit writes over (no sign-in moved its counter in between).
            if (_user.Find(state.Authenticator!.Id) is not { WebAuthn: { } current } authenticator ||
                current.PublicKey != moved.PublicKey || current.ClonedAt is not null || current.SignCount != state.Authenticator.WebAuthn!.SignCount)
            {
                return new Judgement(ChallengeResult.Undecided, move, "failed", FailureReason: WebAuthnFailures.CounterRegression);
            }
            return new Judgement(ChallengeResult.Succeeded, move, "verified", authenticator.Id, TokenGrant.FollowUp,
                Authenticator: authenticator with { WebAuthn = moved });
        }

        public VerifyPasskeyResponse Answer(Judgement judgement, Completed completed) =>
            judgement.Result == ChallengeResult.Succeeded
                ? new VerifyPasskeyResponse(true, completed.AccessToken, _userId, completed.Authenticator?.Id, _user.Username, _user.DisplayName, null)
                : new VerifyPasskeyResponse(false, null, null, null, null, null, judgement.FailureReason);
    }

    /// <summary>
    /// The stored challenge is open and is the one this call answers: its method and ceremony, the token's user and
    /// action, the id the client sent (when it sent one: the security-key calls send none), not used, not expired.
    /// </summary>
    private bool Answers(PasskeyChallengeRecord challenge, ClientCall call, string method, string ceremony, string? challengeId) =>
        challenge.Method == method && challenge.Ceremony == ceremony && challenge.UserId == call.Token.UserId &&
        challenge.ActionCode == call.Token.ActionCode && challenge.IdempotencyKey == call.Token.IdempotencyKey &&
        (challengeId is null || challenge.Id == challengeId) && challenge.IsOpen(time.GetUtcNow());

    private PasskeyChallengeRecord NewGetChallenge(Tenant tenant, string id, string method, string? userId, string actionCode, string idempotencyKey)
    {
        var now = time.GetUtcNow();
        return new PasskeyChallengeRecord
        {
            Id = id,
            Method = method,
            Ceremony = Ceremonies.Get,
            Challenge = Encode(RelyingParty.NewChallenge()),
            UserId = userId,
            ActionCode = actionCode,
            IdempotencyKey = idempotencyKey,
            UserVerificationRequired = method == VerificationMethods.Passkey,
            CreatedAt = now,
            ExpiresAt = now + tenant.Options.Passkeys.ChallengeLifetime,
        };
    }

    private static RequestOptionsJson RequestOptions(Tenant tenant, PasskeyChallengeRecord challenge, IReadOnlyList<CredentialDescriptorJson> allow) =>
        new(challenge.Challenge, tenant.Options.Passkeys.RpId, allow, TimeoutOf(tenant.Options.Passkeys),
            challenge.UserVerificationRequired ? "required" : "preferred");

    // ---------------------------------------------------------------------------------------------------------------
    // Tenant Basic: a passwordless sign-in

    /// <summary>
    /// 9.4 without a token: request options for any of the tenant's passkeys (<c>allowCredentials</c> empty), for the
    /// id <c>POST /v1/client/challenge</c> reserved (its action), or for a new id (action <see cref="SignInAction"/>).
    /// A reserved id answers one set of options.
    /// </summary>
    public async Task<Outcome<AuthenticationOptionsResponse>> SignInOptionsAsync(Tenant tenant, string? challengeId, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!tenant.Allows(VerificationMethods.Passkey))
        {
            return ApiError.Invalid("verificationMethod: PASSKEY is not enabled for this tenant.");
        }
        // One round trip: the count and the reservation are read together.
        var reading = string.IsNullOrEmpty(challengeId) ? null : reservations.ReadAsync(tenant.Id, challengeId);
        if (await limits.HitAsync(tenant, RateRule.StartsPerIp, clientAddress) is { } limited)
        {
            return limited;
        }
        var now = time.GetUtcNow();
        PasskeyChallengeRecord challenge;
        if (reading is not null)
        {
            if (await reading is not { Value: var reserved } || reserved.Origin != OtpOrigins.Client ||
                reserved.UserId is not null || reserved.VerificationMethod is not null || !reserved.IsPending(now))
            {
                return ApiError.NotFound("challengeId: no challenge with this id waits for a passkey; reserve one with POST /v1/client/challenge.");
            }
            challenge = NewGetChallenge(tenant, reserved.Id, VerificationMethods.Passkey, null, reserved.ActionCode, reserved.IdempotencyKey);
        }
        else
        {
            challenge = NewGetChallenge(tenant, ChallengeIds.New((string?)null), VerificationMethods.Passkey, null, SignInAction, Ids.New());
        }
        if (!await passkeys.CreateAsync(tenant.Id, challenge))
        {
            return ApiError.Conflict("challengeId: authentication options were already given for this challenge; reserve a new one.");
        }
        return new AuthenticationOptionsResponse(challenge.Id, RequestOptions(tenant, challenge, []));
    }

    /// <summary>
    /// 9.6 without a token: the challenge is used up first (single use, whatever follows), then the credential is found
    /// by its id (never by the user handle), the assertion checked, its counter moved on condition that it is still as
    /// checked, and the sign-in recorded as a succeeded action of the credential's user, whose token is returned.
    /// Four round trips: the count, the challenge and the credential's holder are read together; the challenge is used
    /// while the holder's document is read; the counter moves over the document as read; the action is created. The
    /// challenge (in a slot of its own: a sign-in has no user when its options are given) and the user (known only from
    /// the index) cannot share one atomic write, and the action is created only once both have been written.
    /// </summary>
    public async Task<Outcome<VerifyPasskeyResponse>> SignInAsync(Tenant tenant, WebAuthnCredentialJson credential, string challengeId,
        string? deviceId, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(credential);
        var credentialId = Encode(credential.IdBytes!);
        var reading = passkeys.ReadAsync(tenant.Id, challengeId);
        var finding = passkeys.HolderAsync(tenant.Id, credentialId);
        if (await limits.HitAsync(tenant, RateRule.StartsPerIp, clientAddress) is { } limited)
        {
            return limited;
        }
        var stored = await reading;
        var userId = await finding;
        if (stored is not { Value: var challenge } || challenge.UserId is not null || challenge.Ceremony != Ceremonies.Get ||
            challenge.Method != VerificationMethods.Passkey)
        {
            return ApiError.NotFound("challengeId: no passkey sign-in was started with this id.");
        }
        if (!challenge.IsOpen(time.GetUtcNow()))
        {
            return Refused(WebAuthnFailures.ChallengeInvalidOrExpired);
        }
        var use = passkeys.UseAsync(tenant.Id, stored);
        var holder = userId is null ? null : await users.ReadAsync(tenant.Id, userId);
        if (!await use)
        {
            return Refused(WebAuthnFailures.ChallengeInvalidOrExpired);
        }
        if (userId is null || holder!.Value.Verified.FirstOrDefault(a => a.VerificationMethod == VerificationMethods.Passkey &&
                a.WebAuthn?.CredentialId == credentialId) is not { WebAuthn: { } checkedAgainst } authenticator)
        {
            return UnknownCredential();
        }
        var verdict = await RelyingParty.VerifyAssertionAsync(tenant.Options.Passkeys, challenge, credential, checkedAgainst);
        if (verdict.Credential is not { } moved)
        {
            if (verdict.Failure == WebAuthnFailures.CounterRegression)
            {
                await FlagClonedAsync(tenant.Id, userId, authenticator.Id);
            }
            return Refused(verdict.Failure);
        }
        var now = time.GetUtcNow();
        UserRecord? Move(UserRecord u) =>
            u.Find(authenticator.Id) is { WebAuthn: { } current } found && current.PublicKey == checkedAgainst.PublicKey &&
            current.ClonedAt is null && current.SignCount == checkedAgainst.SignCount
                ? u.With(found with { WebAuthn = moved, LastVerifiedAt = now })
                : null;
        var after = Move(holder.Value) is { } next && await users.CommitOverAsync(tenant.Id, userId, holder, next) ? next : null;
        if (after is null)
        {
            // The document changed since it was read: moved again over the latest, unless another sign-in with this
            // credential moved its counter meanwhile (then this assertion is not newer).
            var applied = false;
            after = await users.UpdateAsync(tenant.Id, userId, u =>
            {
                var latest = Move(u);
                applied = latest is not null;
                return latest;
            });
            if (!applied)
            {
                return Refused(WebAuthnFailures.CounterRegression);
            }
        }
        var token = await completion.RecordClaimAsync(tenant, new ActionRecord
        {
            UserId = userId,
            ActionCode = challenge.ActionCode,
            IdempotencyKey = challenge.IdempotencyKey,
            State = ActionStates.ChallengeSucceeded,
            CreatedAt = now,
            StateUpdatedAt = now,
            VerificationMethod = VerificationMethods.Passkey,
            ChallengeId = challenge.Id,
            DeviceId = deviceId,
            Username = after.Username,
            UserGeneration = after.Generation,
        });
        return new VerifyPasskeyResponse(true, token, userId, authenticator.Id, after.Username, after.DisplayName, null);

        static VerifyPasskeyResponse Refused(string? reason) => new(false, null, null, null, null, null, reason);
    }

    /// <summary>9.7: the first of <paramref name="credentialIds"/> that is a verified passkey of the tenant; else invalid_credential.</summary>
    public async Task<Outcome<PasskeyProbeResponse>> ProbeAsync(Tenant tenant, IReadOnlyList<string> credentialIds)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(credentialIds);
        foreach (var id in credentialIds)
        {
            if (Base64Lenient.Decode(id) is not { } bytes)
            {
                continue;
            }
            var credentialId = Encode(bytes);
            if (await passkeys.HolderAsync(tenant.Id, credentialId) is { } userId &&
                (await users.GetAsync(tenant.Id, userId)).Verified.FirstOrDefault(a => a.WebAuthn?.CredentialId == credentialId) is { } found)
            {
                return new PasskeyProbeResponse(credentialId, found.VerifiedAt);
            }
        }
        return ApiError.InvalidCredential("None of the credential ids is a passkey of this tenant.");
    }

    private PasskeyStore Passkeys => passkeys;
    private UserStore Users => users;
    private TimeProvider Time => time;
}
