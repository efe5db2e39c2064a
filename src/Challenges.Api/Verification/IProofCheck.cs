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

