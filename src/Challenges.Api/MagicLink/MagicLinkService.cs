using Challenges.Api.Actions;
using Challenges.Api.Delivery;
using Challenges.Api.Http;
using Challenges.Api.Observability;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.MagicLink;

/// <summary>
/// Email magic links (docs/contract.md, "Email magic link"), plugged into the <see cref="VerificationFlow"/>: enrolment
/// (an unverified authenticator, then a first link), start (a link to the user's authenticator), and the client's
/// finalize poll, which judges what the link's page recorded. The link's page (<see cref="MagicLinkPage"/>) shows a
/// confirmation on GET and changes nothing (mail scanners fetch links); its POST completes the action through
/// <see cref="ActionCompletion"/>, in one atomic write with the challenge, used up.
/// </summary>
public sealed partial class MagicLinkService(
    VerificationFlow flow,
    MagicLinkStore links,
    UserStore users,
    ActionStore actions,
    ActionCompletion completion,
    IEmailSender email,
    RateCounter limits,
    ChallengeMetrics metrics,
    TenantRegistry tenants,
    ConflictRetry retry,
    TimeProvider time,
    ILogger<MagicLinkService> logger)
{
    private VerificationFlow Flow => flow;
    private MagicLinkStore Links => links;
    private UserStore Users => users;
    private ActionCompletion Completion => completion;
    private IEmailSender Email => email;
    private RateCounter Limits => limits;
    private ChallengeMetrics Metrics => metrics;
    private TimeProvider Time => time;
    private ILogger Logger => logger;

    private const string Method = VerificationMethods.EmailMagicLink;

    /// <summary>The failure reason of a poll of an expired link (the verify failure reason of docs/contract.md §1.4).</summary>
    private const string ExpiredReason = "CODE_INVALID_OR_EXPIRED";

    /// <summary>The path of the link's page, below the server's public URL.</summary>
    public const string PagePath = "/hosted/email-magic-link";

    /// <summary>Adds an unverified magic link authenticator for <paramref name="address"/> (or reuses the user's one for it) and mails it a link.</summary>
    public Task<Outcome<EnrolMagicLinkResponse>> EnrolAsync(ClientCall call, string address, string publicUrl) =>
        flow.EnrolAsync(call, new Enrolment(this, address, publicUrl));

    /// <summary>Mails a link to the user's magic link authenticator: a verified one, else one still being enrolled when the token may enrol.</summary>
    public async Task<Outcome<MagicLinkChallengeResponse>> StartAsync(ClientCall call, string publicUrl) =>
        (await flow.StartAsync(call, new Start(this, publicUrl, null))).Map(id => new MagicLinkChallengeResponse(id));

    /// <summary>
    /// The client's poll: pending, expired, or confirmed (then a fresh token for the action, at every poll). It reads,
    /// never writes, and takes no secret: there is nothing to guess by polling.
    /// </summary>
    public Task<Outcome<MagicLinkVerifyResponse>> FinalizeAsync(ClientCall call, string? challengeId) =>
        flow.VerifyAsync(call, new Poll(this, challengeId));

    /// <summary>What the link's page shows on GET: nothing is changed.</summary>
    public Task<LinkState> InspectAsync(string? token) => JudgeLinkAsync(token, confirm: false);

    /// <summary>The link's page's POST: a pending, unexpired link completes its action and is used up.</summary>
    public Task<LinkState> ConfirmAsync(string? token) => JudgeLinkAsync(token, confirm: true);

    private async Task<LinkState> JudgeLinkAsync(string? token, bool confirm)
    {
        if (LinkTokens.Parse(token) is not var (tenantId, challengeId, secret) || tenants.FindById(tenantId) is not { } tenant ||
            !tenant.Allows(Method) || await links.FindActionAsync(tenant.Id, challengeId) is not { } id)
        {
            return LinkState.Invalid;
        }
        var state = await retry.RunAsync<LinkState>("confirming an email magic link", async _ =>
        {
            var actionRead = actions.ReadAsync(id);
            var userRead = users.ReadAsync(tenant.Id, id.UserId);
            var challengeRead = links.ReadForActionAsync(id);
            await Task.WhenAll(actionRead, userRead, challengeRead);
            var now = time.GetUtcNow();
            if (challengeRead.Result is not { Value: var challenge } stored || challenge.Id != challengeId)
            {
                // A newer link for the same action replaced this one (its secret can no longer be checked).
                return LinkState.Superseded;
            }
            var found = !LinkTokens.Matches(secret, challenge.LinkHash) ? LinkState.Invalid
                : challenge.ConfirmedAt is not null ? LinkState.Used
                : challenge.IsExpiredAt(now) ? LinkState.Expired
                : actionRead.Result is not { Value: var action } ? LinkState.Closed
                : action.ChallengeId != challenge.Id ? LinkState.Superseded
                : !ActionStates.AcceptsChallenge(action.State) ? LinkState.Closed
                : LinkState.Pending;
            if (found != LinkState.Pending || !confirm)
            {
                return found;
            }
            var move = links.MoveWrite(id, stored, challenge with { ConfirmedAt = now });
            return await completion.CommitAsync(tenant, id, actionRead.Result!, Method, ChallengeResult.Succeeded, move, "verified",
                userRead.Result, challenge.AuthenticatorId) is null
                ? Attempt.Conflict<LinkState>()
                : LinkState.Confirmed;
        });
        if (confirm)
        {
            LogConfirm(logger, tenant.Id, challengeId, state);
        }
        return state;
    }

    private sealed class Enrolment(MagicLinkService service, string address, string publicUrl) : IEnrolment<EnrolMagicLinkResponse>
    {
        public string Method => MagicLinkService.Method;

        public async Task<Outcome<EnrolMagicLinkResponse>> EnrolAsync(ChallengeContext context)
        {
            AuthenticatorRecord? authenticator = null;
            ApiError? refusal = null;
            var added = false;
            await service.Users.UpdateAsync(context.Tenant.Id, context.Token.UserId, user =>
            {
                var now = service.Time.GetUtcNow();
                var existing = user.Authenticators.FirstOrDefault(a => a.VerificationMethod == Method &&
                    string.Equals(a.Email, address, StringComparison.OrdinalIgnoreCase));
                var kept = user.WithoutAbandonedEnrolments(now, existing);
                refusal = context.MayEnrol(kept, Method, adding: existing is null);
                if (refusal is not null)
                {
                    return null;
                }
                added = existing is null;
                authenticator = existing ?? new AuthenticatorRecord { Id = Ids.New(), VerificationMethod = Method, CreatedAt = now, Email = address };
                return added || kept.Authenticators.Count != user.Authenticators.Count ? kept.With(authenticator) : null;
            });
            if (refusal is not null)
            {
                return refusal;
            }
            var started = await service.Flow.StartAsync(context.Call, new Start(service, publicUrl, authenticator!.Id));
            if (started.Failed(out var error, out var challengeId))
            {
                if (added)
                {
                    await service.Users.RemoveUnverifiedAsync(context.Tenant.Id, context.Token.UserId, authenticator.Id);
                }
                return error;
            }
            return new EnrolMagicLinkResponse(authenticator.Id, context.Token.UserId, challengeId);
        }
    }

    /// <summary>A link to the user's magic link authenticator, or to <c>authenticatorId</c> (the one an enrolment just added).</summary>
    private sealed class Start(MagicLinkService service, string publicUrl, string? authenticatorId) : IChallengeStart<bool, string>
    {
        public string Method => MagicLinkService.Method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) =>
            [(RateRule.EmailSendsPerUser, call.Token.UserId), (RateRule.StartsPerIp, call.ClientAddress)];

        public Task<bool> ReadAsync(ClientCall call) => Task.FromResult(true);

        public ApiError? Admit(ChallengeContext context) => EnrolmentPolicy.CheckAction(context.Tenant, Method, context.Action?.Value);

        public async Task<Outcome<NewChallenge<string>>> StartAsync(ChallengeContext context, bool state)
        {
            var user = context.User.Value;
            // An unverified authenticator is an enrolment still going on: only a token that may enrol can continue it.
            var mayEnrol = context.MayEnrol(user, Method, adding: false) is null;
            var authenticator = authenticatorId is not null
                ? user.Find(authenticatorId)
                : user.Authenticators.Where(a => a.VerificationMethod == Method && (a.IsVerified || mayEnrol))
                    .OrderByDescending(a => a.IsVerified).ThenByDescending(a => a.IsDefault).ThenByDescending(a => a.CreatedAt)
                    .FirstOrDefault();
            if (authenticator?.Email is not { } to)
            {
                return ApiError.NotFound("The user has no email magic link authenticator.");
            }
            var tenant = context.Tenant;
            if (!user.HasVerified(to) &&
                await service.Limits.HitAsync(tenant, RateRule.EmailSendsPerDestination, to.ToUpperInvariant()) is { } limited)
            {
                return limited;
            }
            var token = context.Token;
            var id = context.Call.NewChallengeId();
            var now = service.Time.GetUtcNow();
            var lifetime = tenant.Limits.MagicLinkLifetime;
            var (link, hash) = LinkTokens.New(tenant.Id, id);
            var url = new Uri($"{publicUrl.TrimEnd('/')}{PagePath}?t={Uri.EscapeDataString(link)}");
            var message = new MagicLinkMessage(to, url, token.UserId, token.ActionCode, token.IdempotencyKey, context.Action!.Value.Locale, lifetime);
            var delivered = await service.Metrics.DeliverAsync("email", tenant.Options.Delivery.Email, () => service.Email.SendLinkAsync(tenant, message));
            if (!delivered.Delivered)
            {
                LogNotDelivered(service.Logger, tenant.Id);
                return new ApiError(ErrorCodes.DeliveryFailed, $"The link could not be delivered: {delivered.Detail} No challenge was started.");
            }
            var challenge = new MagicLinkChallengeRecord
            {
                Id = id,
                UserId = token.UserId,
                ActionCode = token.ActionCode,
                IdempotencyKey = token.IdempotencyKey,
                AuthenticatorId = authenticator.Id,
                Enrolment = !authenticator.IsVerified,
                CreatedAt = now,
                ExpiresAt = now + lifetime,
                LinkHash = hash,
            };
            return new NewChallenge<string>(id, service.Links.StartWrite(context.Call.Action, challenge), id,
                Stored: () => service.Metrics.Started(tenant.Id, Method));
        }
    }

    /// <summary>The finalize poll: what the link's page recorded for the action's latest magic link.</summary>
    private sealed class Poll(MagicLinkService service, string? challengeId) : IProofCheck<Stored<MagicLinkChallengeRecord>?, MagicLinkVerifyResponse>
    {
        private MagicLinkVerifyResponse? _answer;

        public string Method => MagicLinkService.Method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.MagicLinkPollsPerUser, call.Token.UserId)];

        public Task<Stored<MagicLinkChallengeRecord>?> ReadAsync(ClientCall call) => service.Links.ReadForActionAsync(call.Action);

        public Outcome<Judgement> Judge(ChallengeContext context, Stored<MagicLinkChallengeRecord>? stored)
        {
            if (!context.Tenant.Allows(Method))
            {
                return ApiError.Invalid($"verificationMethod: {Method} is not enabled for this tenant.");
            }
            if (context.Action is not { Value: var action } || stored is not { Value: var challenge } || challenge.Id != action.ChallengeId ||
                (challengeId is not null && challengeId != challenge.Id))
            {
                return ApiError.NotFound("No email magic link challenge has been started with this token.");
            }
            var tenant = context.Tenant;
            _answer = challenge.ConfirmedAt is null
                ? new MagicLinkVerifyResponse(false, null, challenge.IsExpiredAt(service.Time.GetUtcNow()) ? ExpiredReason : null, null)
                : action.State != ActionStates.ChallengeSucceeded
                    ? new MagicLinkVerifyResponse(false, null, null, null)
                    : new MagicLinkVerifyResponse(true, service.Completion.IssueFollowUpToken(tenant, action, context.Token.Username), null,
                        challenge.Enrolment && context.User.Value.Find(challenge.AuthenticatorId) is { } a
                            ? AuthenticatorResponse.From(context.Token.UserId, a)
                            : null);
            // The link's page completed the action: the poll only reports it.
            return new Judgement(ChallengeResult.Undecided, StoreWrite.None);
        }

        public MagicLinkVerifyResponse Answer(Judgement judgement, Completed completed) => _answer!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email magic link for tenant {TenantId} not delivered; no challenge started")]
    private static partial void LogNotDelivered(ILogger logger, string tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email magic link {ChallengeId} of tenant {TenantId} confirmed by its page: {State}")]
    private static partial void LogConfirm(ILogger logger, string tenantId, string challengeId, LinkState state);
}

/// <summary>What a link's page finds.</summary>
public enum LinkState
{
    /// <summary>Not a link of this server (or long gone): unknown tenant or challenge, wrong secret.</summary>
    Invalid,

    /// <summary>Waiting for the confirmation (GET).</summary>
    Pending,

    /// <summary>Confirmed by this request (POST).</summary>
    Confirmed,

    /// <summary>Confirmed before: a link works once.</summary>
    Used,

    Expired,

    /// <summary>A newer challenge of the same action replaced it.</summary>
    Superseded,

    /// <summary>The action no longer exists or can no longer be challenged (blocked, failed, under review).</summary>
    Closed,
}
