using Challenges.Api.Observability;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>
/// The one place a challenge's result reaches its action, for every verification method: the action moves to
/// CHALLENGE_SUCCEEDED or CHALLENGE_FAILED (only while it awaits a challenge: applying a result twice changes nothing),
/// the authenticator that answered is verified (an enrolment ends) and stamped, and the method's own move of its
/// challenge is written, all in one atomic commit on the user's slot; the lifecycle events of the user's change go with
/// it and the outcome is counted. A success hands out the follow-up client token here too.
/// </summary>
public sealed class ActionCompletion(ActionStore actions, UserStore users, TokenService tokens, ChallengeMetrics metrics, TimeProvider time)
{
    /// <summary>
    /// Commits <paramref name="result"/> for the action as read: its new state, the answering authenticator
    /// (<paramref name="authenticatorId"/>, in <paramref name="user"/> as read) verified now, and the method's
    /// <paramref name="challengeMove"/>; <paramref name="endedAs"/>: how the challenge ended with this move (counted), or
    /// null when it did not end now; <paramref name="authenticator"/>: the answering authenticator as the method writes it
    /// (new, or with its own state moved), else the one in the user as read. Returns the action and the answering authenticator afterwards, or null when
    /// something changed since it was read (a conflict: read again and judge again).
    /// </summary>
    public async Task<Completed?> CommitAsync(Tenant tenant, ActionRef id, Stored<ActionRecord> action, string method, ChallengeResult result,
        StoreWrite challengeMove, string? endedAs, Stored<UserRecord>? user = null, string? authenticatorId = null,
        AuthenticatorRecord? authenticator = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(action);
        var now = time.GetUtcNow();
        var next = Completed(action.Value, method, result, now);
        var userWrite = StoreWrite.None;
        AuthenticatorRecord? verified = null;
        if (result == ChallengeResult.Succeeded && user is not null && authenticatorId is not null &&
            (authenticator ?? user.Value.Find(authenticatorId)) is { } answered)
        {
            verified = answered with { VerifiedAt = answered.VerifiedAt ?? now, LastVerifiedAt = now };
            if (answered.VerifiedAt is null && next is not null)
            {
                next = next with { EnrolledAuthenticatorId = answered.Id };
            }
            userWrite = users.Write(tenant.Id, id.UserId, user, user.Value.With(verified) with
            {
                Email = user.Value.Email ?? verified.Email,
                PhoneNumber = user.Value.PhoneNumber ?? verified.PhoneNumber,
            });
        }
        if (!await actions.CommitAsync(id, action, next, tenant.Limits.ActionRetention, challengeMove, userWrite))
        {
            return null;
        }
        if (endedAs is not null)
        {
            metrics.Completed(tenant.Id, method, endedAs);
        }
        return new Completed(next ?? action.Value, verified);
    }

    /// <summary>The action with <paramref name="result"/> applied; null when it does not change.</summary>
    public static ActionRecord? Completed(ActionRecord action, string method, ChallengeResult result, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(action);
        return result == ChallengeResult.Undecided || !ActionStates.AwaitsChallenge(action.State)
            ? null
            : action with
            {
                State = result == ChallengeResult.Succeeded ? ActionStates.ChallengeSucceeded : ActionStates.ChallengeFailed,
                StateUpdatedAt = now,
                VerificationMethod = method,
            };
    }

    /// <summary>
    /// The fresh client token a success hands out. The user has just passed a challenge in this session, so it may also
    /// enrol further authenticators (ours).
    /// </summary>
    public string IssueFollowUpToken(Tenant tenant, ActionRecord action, string? username = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(action);
        var scopes = Scopes.Parse(action.Scope).Append(Scopes.AddAuthenticators).Distinct(StringComparer.Ordinal);
        return tokens.Issue(tenant.Id, action.UserId, action.ActionCode, action.IdempotencyKey, scopes, action.Username ?? username);
    }

    /// <summary>A client token for the action, with the scopes it was tracked with.</summary>
    public string IssueToken(Tenant tenant, ActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(action);
        return tokens.Issue(tenant.Id, action.UserId, action.ActionCode, action.IdempotencyKey, Scopes.Parse(action.Scope), action.Username);
    }

    /// <summary>
    /// A verified passwordless challenge claimed for a user: its action is created as CHALLENGE_SUCCEEDED, or, when the
    /// backend reused an action's idempotency key for a new challenge, this success is the action's latest word
    /// (validation stays single use: an action already validated stays validated). Returns the action's client token.
    /// </summary>
    public async Task<string> RecordClaimAsync(Tenant tenant, ActionRecord claimed)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(claimed);
        var retention = tenant.Limits.ActionRetention;
        var (action, created) = await actions.CreateAsync(tenant.Id, claimed, retention);
        if (!created)
        {
            action = await actions.UpdateAsync(ActionRef.Of(tenant.Id, claimed), a => a with
            {
                State = ActionStates.ChallengeSucceeded,
                StateUpdatedAt = claimed.StateUpdatedAt,
                VerificationMethod = claimed.VerificationMethod,
                ChallengeId = claimed.ChallengeId,
            }, retention) ?? action;
        }
        return IssueToken(tenant, action);
    }
}
