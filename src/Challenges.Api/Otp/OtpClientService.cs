using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.Otp;

/// <summary>
/// SMS, WhatsApp and email codes for a client token's action, plugged into the <see cref="VerificationFlow"/>:
/// enrolment (an unverified authenticator, then a first code), start (a code to the user's authenticator) and verify
/// (the code against the action's latest challenge). Also the reservation of a challenge id for a later step of a
/// sign-in.
/// </summary>
public sealed class OtpClientService(
    VerificationFlow flow,
    OtpChallengeStore challenges,
    OtpSender sender,
    OtpCodes codes,
    UserStore users,
    RateCounter limits,
    TimeProvider time)
{
    private VerificationFlow Flow => flow;
    private OtpChallengeStore Challenges => challenges;
    private OtpSender Sender => sender;
    private OtpCodes Codes => codes;
    private UserStore Users => users;
    private RateCounter Limits => limits;
    private TimeProvider Time => time;

    private static string Describe(string method) => method switch
    {
        VerificationMethods.EmailOtp => "email OTP",
        VerificationMethods.WhatsApp => "WhatsApp",
        _ => "SMS",
    };

    /// <summary>
    /// Adds an unverified SMS or email-OTP authenticator (or reuses the one with the same destination) and sends it
    /// a code; verifying the code completes the enrolment. An enrolled user needs <c>add:authenticators</c>.
    /// </summary>
    public Task<Outcome<EnrolOtpResponse>> EnrolAsync(ClientCall call, string method, string destination, string? smsChannel) =>
        flow.EnrolAsync(call, new Enrolment(this, method, destination, smsChannel));

    /// <summary>
    /// Sends a code to the user's authenticator for <paramref name="method"/>: a verified one; else one whose enrolment
    /// is unfinished, when the user may enrol (not yet enrolled, or the token has add:authenticators). WhatsApp uses a
    /// WhatsApp authenticator, else the phone number of an SMS one.
    /// </summary>
    public async Task<Outcome<ClientChallengeResponse>> StartAsync(ClientCall call, string method, string? smsChannel) =>
        (await flow.StartAsync(call, new Start(this, method, smsChannel, null))).Map(c => new ClientChallengeResponse(c.Id));

    /// <summary>
    /// Checks the code against the token's action's latest challenge. Success: the action moves to
    /// CHALLENGE_SUCCEEDED, the authenticator is verified (enrolment) and its lastVerifiedAt set, and a fresh token is
    /// issued. Too many wrong codes: the action moves to CHALLENGE_FAILED.
    /// </summary>
    public Task<Outcome<ClientVerifyResponse>> VerifyAsync(ClientCall call, string method, string code) =>
        flow.VerifyAsync(call, new Proof(this, method, code));

    /// <summary>
    /// POST /v1/client/challenge (ours): reserves a challenge id, with no code and nothing sent, for a later step of a
    /// sign-in to refer to. With a token it belongs to the token's user and action; with tenant Basic it is unbound and
    /// names the action given. It does not replace the action's latest OTP challenge. It expires like an OTP and counts
    /// as a challenge start for the caller's address.
    /// </summary>
    public async Task<Outcome<ClientChallengeResponse>> ReserveAsync(Tenant tenant, ClientToken? token, string? actionCode, string clientAddress)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (await limits.HitAsync(tenant, RateRule.StartsPerIp, clientAddress) is { } limited)
        {
            return limited;
        }
        var now = time.GetUtcNow();
        var challenge = new OtpChallengeRecord
        {
            Id = OtpChallengeStore.NewId(tenant.Id, token?.UserId),
            Origin = OtpOrigins.Client,
            CreatedAt = now,
            ExpiresAt = now + tenant.Limits.OtpLifetime,
            MaxAttempts = tenant.Limits.OtpMaxAttempts,
            UserId = token?.UserId,
            ActionCode = token?.ActionCode ?? actionCode ?? "",
            IdempotencyKey = token?.IdempotencyKey ?? Ids.New(),
        };
        await challenges.CreateAsync(tenant.Id, challenge, tenant.Limits.OtpLifetime);
        return new ClientChallengeResponse(challenge.Id);
    }

    private sealed class Enrolment(OtpClientService service, string method, string destination, string? smsChannel)
        : IEnrolment<EnrolOtpResponse>
    {
        public string Method => method;

        public async Task<Outcome<EnrolOtpResponse>> EnrolAsync(ChallengeContext context)
        {
            var isEmail = method == VerificationMethods.EmailOtp;
            var now = service.Time.GetUtcNow();
            AuthenticatorRecord? authenticator = null;
            ApiError? refusal = null;
            var added = false;
            await service.Users.UpdateAsync(context.Tenant.Id, context.Token.UserId, user =>
            {
                var existing = user.Authenticators.FirstOrDefault(a => a.VerificationMethod == method &&
                    (isEmail ? string.Equals(a.Email, destination, StringComparison.OrdinalIgnoreCase) : a.PhoneNumber == destination));
                var kept = user.WithoutAbandonedEnrolments(now, existing);
                refusal = context.MayEnrol(kept, method, adding: existing is null);
                if (refusal is not null)
                {
                    return null;
                }
                added = existing is null;
                authenticator = existing ?? new AuthenticatorRecord
                {
                    Id = Ids.New(),
                    VerificationMethod = method,
                    CreatedAt = now,
                    PhoneNumber = isEmail ? null : destination,
                    Email = isEmail ? destination : null,
                };
                return kept.With(authenticator);
            });
            if (refusal is not null)
            {
                return refusal;
            }
            var started = await service.Flow.StartAsync(context.Call, new Start(service, method, smsChannel, authenticator!.Id));
            if (started.Failed(out var error, out _))
            {
                if (added)
                {
                    await service.Users.RemoveUnverifiedAsync(context.Tenant.Id, context.Token.UserId, authenticator.Id);
                }
                return error;
            }
            return new EnrolOtpResponse(authenticator.Id, context.Token.UserId);
        }
    }

    /// <summary>A code to the user's authenticator for the method, or to <c>authenticatorId</c> (the one an enrolment just added).</summary>
    private sealed class Start(OtpClientService service, string method, string? smsChannel, string? authenticatorId)
        : IChallengeStart<bool, OtpChallengeRecord>
    {
        private readonly OtpChannel _channel = OtpSender.ChannelOf(method, smsChannel);

        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) =>
            [OtpSender.UserLimit(_channel, call.Token.UserId), (RateRule.StartsPerIp, call.ClientAddress)];

        public Task<bool> ReadAsync(ClientCall call) => Task.FromResult(true);

        /// <summary>The enrolment rule, since an OTP start may also send to an authenticator whose enrolment is unfinished.</summary>
        public ApiError? Admit(ChallengeContext context) => EnrolmentPolicy.CheckAction(context.Tenant, method, context.Action?.Value);

        public async Task<Outcome<NewChallenge<OtpChallengeRecord>>> StartAsync(ChallengeContext context, bool state)
        {
            var user = context.User.Value;
            if (Pick(context, user) is not { } authenticator)
            {
                return ApiError.NotFound($"The user has no {Describe(method)} authenticator.");
            }
            var tenant = context.Tenant;
            var token = context.Token;
            var isEmail = _channel == OtpChannel.Email;
            var draft = service.Sender.Draft(tenant, context.Call.NewChallengeId(), OtpOrigins.Client, method, _channel) with
            {
                PhoneNumber = isEmail ? null : authenticator.PhoneNumber,
                Email = isEmail ? authenticator.Email : null,
                UserId = token.UserId,
                ActionCode = token.ActionCode,
                IdempotencyKey = token.IdempotencyKey,
                AuthenticatorId = authenticator.Id,
                Enrolment = !authenticator.IsVerified,
                Locale = context.Action!.Value.Locale,
            };
            var toOwnDestination = user.HasVerified(draft.Destination!);
            if (await service.Limits.HitAllAsync(tenant, [.. OtpSender.DestinationLimit(_channel, draft.Destination!, toOwnDestination)]) is { } limited)
            {
                return limited;
            }
            if ((await service.Sender.DeliverAsync(tenant, draft, _channel)).Failed(out var undelivered, out var challenge))
            {
                return undelivered;
            }
            return new NewChallenge<OtpChallengeRecord>(challenge.Id,
                service.Challenges.StartWrite(context.Call.Action, challenge, tenant.Limits.OtpLifetime), challenge,
                Stored: () => service.Sender.Started(tenant, _channel));
        }

        private AuthenticatorRecord? Pick(ChallengeContext context, UserRecord user)
        {
            if (authenticatorId is not null)
            {
                return user.Find(authenticatorId);
            }
            string[] usable = method switch
            {
                VerificationMethods.WhatsApp => [VerificationMethods.WhatsApp, VerificationMethods.Sms],
                _ => [method],
            };
            // An unverified authenticator is an enrolment still going on: only a token that may enrol can continue it.
            var mayEnrol = context.MayEnrol(user, method, adding: false) is null;
            return user.Authenticators.Where(a => usable.Contains(a.VerificationMethod) && (a.IsVerified || mayEnrol))
                .OrderByDescending(a => a.IsVerified)
                .ThenBy(a => Array.IndexOf(usable, a.VerificationMethod))
                .ThenByDescending(a => a.IsDefault)
                .ThenByDescending(a => a.CreatedAt)
                .FirstOrDefault();
        }
    }

    /// <summary>A code against the action's latest challenge, which must be an OTP of this method started with this token.</summary>
    private sealed class Proof(OtpClientService service, string method, string code) : IProofCheck<Stored<OtpChallengeRecord>?, ClientVerifyResponse>
    {
        /// <summary>The challenge judged last was an enrolment's: the reply then carries the authenticator.</summary>
        private bool _enrolment;
        private string _userId = "";

        public string Method => method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.VerifiesPerUser, call.Token.UserId)];

        public Task<Stored<OtpChallengeRecord>?> ReadAsync(ClientCall call) => service.Challenges.ReadForActionAsync(call.Action);

        public Outcome<Judgement> Judge(ChallengeContext context, Stored<OtpChallengeRecord>? stored)
        {
            if (context.Action is not { Value: var action } || stored is not { Value: var challenge } || challenge.Id != action.ChallengeId ||
                challenge.Origin != OtpOrigins.Client || challenge.VerificationMethod != method || challenge.UserId != context.Token.UserId ||
                challenge.CodeHash is null)
            {
                return ApiError.NotFound($"No {Describe(method)} challenge has been started with this token.");
            }
            _enrolment = challenge.Enrolment;
            _userId = context.Token.UserId;
            var check = CodeCheck.Of(challenge, code, service.Codes, service.Time.GetUtcNow());
            var move = check.Next is null
                ? StoreWrite.None
                : service.Challenges.MoveWrite(context.Call.Action, stored, check.Next, context.Tenant.Limits.OtpLifetime);
            var result = check.Failure is null ? ChallengeResult.Succeeded
                : check.Failure == FailureReasons.MaxAttemptsExceeded ? ChallengeResult.Failed
                : ChallengeResult.Undecided;
            return new Judgement(result, move, check.EndedAs, challenge.AuthenticatorId, TokenGrant.FollowUp, FailureReason: check.Failure);
        }

        public ClientVerifyResponse Answer(Judgement judgement, Completed completed) =>
            ClientVerifyResponse.Of(judgement, completed, _enrolment, _userId);
    }
}
