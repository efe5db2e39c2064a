using System.Security.Cryptography;
using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;

namespace Challenges.Api.RecoveryCodes;

/// <summary>Recovery codes as shown once (<c>xxxxx-xxxxx</c>).</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

/// <summary>
/// Recovery codes (ours; docs/contract.md §3.5), for a tenant that enables <c>RECOVERY_CODE</c>: ten codes issued when
/// the Server API gives a user their first verified authenticator, answered once, stored hashed; each redeemable once
/// with a client token as a verification method of its own, which succeeds the action like any other method.
/// </summary>
public sealed class RecoveryCodeService(VerificationFlow flow, RecoveryCodeStore store, ActionAttempts attempts, ActionService actions,
    UserStore users, TimeProvider time) : IRecoveryCodeIssuer
{
    public const int Count = 10;
    private const int Length = 10;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Method = VerificationMethods.RecoveryCode;

    private RecoveryCodeStore Store => store;
    private ActionAttempts Attempts => attempts;

    /// <summary>A new code as shown: ten Base32 characters from a CSPRNG, lower case, in two groups (<c>xxxxx-xxxxx</c>).</summary>
    public static string NewCode()
    {
        var chars = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = char.ToLowerInvariant(Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]);
        }
        return $"{new string(chars, 0, Length / 2)}-{new string(chars, Length / 2, Length / 2)}";
    }

    /// <summary>A code as typed, without its separators and in upper case; null when it cannot be a code.</summary>
    public static string? Normalize(string? typed)
    {
        var text = typed?.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        return text is { Length: Length } && text.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? text : null;
    }

    public async Task<IReadOnlyList<string>?> IssueAsync(Tenant tenant, string userId)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!tenant.Allows(Method))
        {
            return null;
        }
        var codes = Enumerable.Range(0, Count).Select(_ => NewCode()).ToList();
        var set = new RecoveryCodeSet(codes.Select(c => store.Hash(tenant.Id, userId, Normalize(c)!)).ToList(), time.GetUtcNow());
        return await store.CreateAsync(tenant.Id, userId, set) ? codes : null;
    }

    /// <summary>
    /// The hosted page's counterpart of the Server API's issue (docs/hosted-page.md): the codes for a user whose first
    /// verified authenticator is the one the token's action enrolled when it succeeded. Answered once; afterwards, or for
    /// a user who has another verified authenticator, 409. The tenant does not enable them: 400.
    /// </summary>
    public async Task<Outcome<RecoveryCodesResponse>> IssueForEnrolmentAsync(ClientCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.Tenant.Allows(Method))
        {
            return ApiError.Invalid("The tenant does not enable recovery codes.");
        }
        var reading = actions.GetAsync(call.Tenant, call.Action);
        var user = await users.GetAsync(call.Tenant.Id, call.Token.UserId);
        if ((await reading).Value is not { State: ActionStates.ChallengeSucceeded } action)
        {
            return ApiError.Conflict("Recovery codes are issued after the action has succeeded.");
        }
        var verified = user.Verified.ToList();
        var firstEnrolledNow = action.EnrolledAuthenticatorId is { } enrolled && verified is [{ Id: var only }] && only == enrolled;
        return firstEnrolledNow && await IssueAsync(call.Tenant, call.Token.UserId) is { } codes
            ? new RecoveryCodesResponse(codes)
            : ApiError.Conflict("Recovery codes are issued once, with the user's first authenticator.");
    }

    /// <summary>
    /// Redeems a code for the token's action: success spends it, moves the action to CHALLENGE_SUCCEEDED with method
    /// RECOVERY_CODE and issues a token that may add authenticators (the user has lost one). Wrong codes count as OTP
    /// attempts do.
    /// </summary>
    public Task<Outcome<ClientVerifyResponse>> VerifyAsync(ClientCall call, string code) => flow.VerifyAsync(call, new Proof(this, code));

    private sealed record State(Stored<Attempts>? Attempts, Stored<RecoveryCodeSet>? Codes);

    private sealed class Proof(RecoveryCodeService service, string code) : IProofCheck<State, ClientVerifyResponse>
    {
        public string Method => RecoveryCodeService.Method;

        public IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall call) => [(RateRule.VerifiesPerUser, call.Token.UserId)];

        public async Task<State> ReadAsync(ClientCall call)
        {
            var (attempts, codes) = await service.Attempts.ReadWithAsync(call, Method, service.Store.ReadAsync(call.Tenant.Id, call.Token.UserId));
            return new State(attempts, codes);
        }

        public Outcome<Judgement> Judge(ChallengeContext context, State state)
        {
            if (ActionAttempts.Before(context, Method, state.Attempts, FailureReasons.MaxAttemptsExceeded) is { } answered)
            {
                return answered;
            }
            if (state.Codes is not { } codes)
            {
                return ApiError.NotFound("The user has no recovery codes.");
            }
            var tenant = context.Tenant;
            var userId = context.Token.UserId;
            var hash = Normalize(code) is { } normalized ? service.Store.Hash(tenant.Id, userId, normalized) : null;
            var match = hash is null ? null : codes.Value.Hashes.FirstOrDefault(h => CryptographicOperations.FixedTimeEquals(
                Convert.FromBase64String(h), Convert.FromBase64String(hash)));
            return match is not null
                ? new Judgement(ChallengeResult.Succeeded, RecoveryCodeStore.UseWrite(tenant.Id, userId, codes, match), "verified",
                    Token: TokenGrant.FollowUp)
                : ActionAttempts.Wrong(context, Method, state.Attempts, FailureReasons.CodeInvalidOrExpired, FailureReasons.MaxAttemptsExceeded);
        }

        public ClientVerifyResponse Answer(Judgement judgement, Completed completed) =>
            ClientVerifyResponse.Of(judgement, completed, enrolment: false, "");
    }
}
