using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;

namespace Challenges.Api.Verification;

/// <summary>
/// A verification method's check of what a client sends against its token's challenge: a code, a poll of a push; next
/// an authenticator-app code, a magic link's finalize poll, a passkey assertion. The flow
/// (<see cref="VerificationFlow.VerifyAsync{TState, TResult}"/>) counts <see cref="Limits"/> and reads the action, the
/// user and the method's <see cref="ReadAsync"/> in one round trip, asks <see cref="Judge"/>, and hands the judgement
/// to <see cref="ActionCompletion"/>, which writes the challenge's move, the action's new state and the authenticator's
/// verification in one atomic commit and issues the follow-up token; then <see cref="Answer"/> shapes the reply.
/// </summary>
public interface IProofCheck<TState, TResult>
{
    string Method { get; }

    /// <summary>Counted before anything else, whatever the outcome.</summary>
    IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall request);

    /// <summary>The method's challenge as stored, read with the action and the user.</summary>
    Task<TState> ReadAsync(ClientCall request);

    /// <summary>What the proof comes to; or a refusal (no such challenge), which changes nothing.</summary>
    Outcome<Judgement> Judge(ChallengeContext context, TState state);

    /// <summary>The reply: the judgement, and the action, the answering authenticator and the follow-up token afterwards.</summary>
    TResult Answer(Judgement judgement, Completed completed);
}

/// <summary>A method's verdict on a proof.</summary>
/// <param name="Result">What it does to the action.</param>
/// <param name="Move">The challenge's own change (an attempt counted, marked verified, the token taken), or <see cref="StoreWrite.None"/>.</param>
/// <param name="EndedAs">How the challenge ended with this move, for the count of completed challenges; null when it did not end now.</param>
/// <param name="AuthenticatorId">The authenticator that answered, verified on success (an enrolment ends).</param>
/// <param name="Token">The client token a success hands out, if any (a push hands it out once).</param>
/// <param name="FailureReason">Why it failed, for the reply.</param>
public sealed record Judgement(ChallengeResult Result, StoreWrite Move, string? EndedAs = null, string? AuthenticatorId = null,
    TokenGrant Token = TokenGrant.None, string? FailureReason = null)
{
    /// <summary>Nothing to write and nothing decided (still pending, already used).</summary>
    public bool ChangesNothing => Result == ChallengeResult.Undecided && ReferenceEquals(Move, StoreWrite.None);
}

/// <summary>Which client token a success hands out.</summary>
public enum TokenGrant
{
    None,

    /// <summary>A token with the scopes the action was tracked with.</summary>
    Action,

    /// <summary>The follow-up token: the action's scopes and <c>add:authenticators</c>.</summary>
    FollowUp,
}
