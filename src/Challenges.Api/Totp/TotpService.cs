using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.Totp;

/// <summary>
/// Authenticator apps (TOTP) for a client token's action, plugged into the <see cref="VerificationFlow"/>: enrolment
/// (an unverified <c>AUTHENTICATOR_APP</c> authenticator with a new secret, answered once as a URI and as text) and
/// verify (a code against the pending app, else the verified ones). There is no start: the app shows a code by itself.
/// </summary>
public sealed class TotpService(VerificationFlow flow, UserStore users, TotpStore store, ActionAttempts attempts, TotpCodes codes, TimeProvider time)
{
    private const string Method = VerificationMethods.AuthenticatorApp;

    private UserStore Users => users;
    private TotpStore Store => store;
    private ActionAttempts Attempts => attempts;
    private TotpCodes Codes => codes;
    private TimeProvider Time => time;

    /// <summary>
    /// Adds an unverified authenticator app with a new secret, replacing one whose enrolment is unfinished. An enrolled
    /// user needs <c>add:authenticators</c>. The secret is answered here only.
    /// </summary>
    public Task<Outcome<EnrolTotpResponse>> EnrolAsync(ClientCall call) => flow.EnrolAsync(call, new Enrolment(this));

    /// <summary>
    /// Checks a code from the user's app: the one being enrolled (when the token may enrol), else any verified one.
    /// Success: the action moves to CHALLENGE_SUCCEEDED, the app is verified, the step is spent, a fresh token is issued.
    /// A wrong or spent code counts an attempt; the attempt that reaches the tenant's OTP limit fails the action.
    /// </summary>
    public Task<Outcome<ClientVerifyResponse>> VerifyAsync(ClientCall call, string code) => flow.VerifyAsync(call, new Proof(this, code));

    /// <summary>What the issuer and account of a new app's URI are: the tenant's name; username, else email, else user id.</summary>
    private static string AccountOf(ChallengeContext context, UserRecord user) =>
        new[] { context.Token.Username, user.Username, user.Email }.FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)) ?? context.Token.UserId;

    private sealed class Enrolment(TotpService service) : IEnrolment<EnrolTotpResponse>
    {
        public string Method => TotpService.Method;

        public async Task<Outcome<EnrolTotpResponse>> EnrolAsync(ChallengeContext context)
        {
            var tenant = context.Tenant;
            var userId = context.Token.UserId;
            var secret = TotpCodes.NewSecret();
            var id = Ids.New();
            var sealedSecret = service.Codes.Seal(tenant.Id, userId, id, secret);
            var now = service.Time.GetUtcNow();
            ApiError? refusal = null;
            var written = await service.Users.UpdateAsync(tenant.Id, userId, user =>
            {
                var kept = user.Authenticators.Where(a => a.IsVerified || a.VerificationMethod != Method).ToList();
                var without = user with { Authenticators = kept };
                refusal = context.MayEnrol(without, Method, adding: true);
                return refusal is not null ? null : without.With(new AuthenticatorRecord
                {
                    Id = id,
                    VerificationMethod = Method,
                    CreatedAt = now,
                    SealedSecret = sealedSecret,
                });
            });
            if (refusal is not null)
            {
                return refusal;
            }
            var base32 = TotpCodes.Base32(secret);
            return new EnrolTotpResponse(id, userId, TotpCodes.Uri(tenant.Name, AccountOf(context, written), base32), base32);
        }
    }

    /// <summary>The state a verify reads beside the action and the user: the action's wrong codes and the spent steps.</summary>
    private sealed record State(Stored<Attempts>? Attempts, Stored<TotpSteps>? Steps);

    private sealed class Proof(TotpService service, string code) : IProofCheck<State, ClientVerifyResponse>
    {
        private bool _enrolment;
        private string _userId = "";

        public string Method => TotpService.Method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.VerifiesPerUser, call.Token.UserId)];

        public async Task<State> ReadAsync(ClientCall call)
        {
            var (attempts, steps) = await service.Attempts.ReadWithAsync(call, Method, service.Store.ReadStepsAsync(call.Tenant.Id, call.Token.UserId));
            return new State(attempts, steps);
        }

        public Outcome<Judgement> Judge(ChallengeContext context, State state)
        {
            if (ActionAttempts.Before(context, Method, state.Attempts, FailureReasons.MaxAttemptsExceeded) is { } answered)
            {
                return answered;
            }
            var tenant = context.Tenant;
            var user = context.User.Value;
            // An app being enrolled is checked when there is one and this token may enrol; else the verified ones.
            var mayEnrol = context.MayEnrol(user, Method, adding: false) is null;
            var pending = user.Authenticators.Where(a => mayEnrol && a.VerificationMethod == Method && !a.IsVerified && a.SealedSecret is not null)
                .ToList();
            var apps = pending.Count > 0 ? pending : user.Verified.Where(a => a.VerificationMethod == Method && a.SealedSecret is not null).ToList();
            if (apps.Count == 0)
            {
                return ApiError.NotFound("The user has no authenticator app.");
            }
            _enrolment = pending.Count > 0;
            _userId = context.Token.UserId;
            var now = service.Time.GetUtcNow();
            foreach (var app in apps)
            {
                if (service.Codes.Open(tenant.Id, _userId, app.Id, app.SealedSecret) is { } secret &&
                    TotpCodes.Match(secret, code, now) is { } step &&
                    step > (state.Steps?.Value.LastOf(app.Id) ?? long.MinValue))
                {
                    return new Judgement(ChallengeResult.Succeeded, service.Store.AcceptWrite(tenant.Id, _userId, state.Steps, app.Id, step),
                        "verified", app.Id, TokenGrant.FollowUp);
                }
            }
            // A wrong code, or one whose step was already spent (a replay), counts an attempt.
            return ActionAttempts.Wrong(context, Method, state.Attempts, FailureReasons.CodeInvalidOrExpired, FailureReasons.MaxAttemptsExceeded);
        }

        public ClientVerifyResponse Answer(Judgement judgement, Completed completed) =>
            ClientVerifyResponse.Of(judgement, completed, _enrolment, _userId);
    }
}
