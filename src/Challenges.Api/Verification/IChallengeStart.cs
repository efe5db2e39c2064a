using Challenges.Api.Http;
using Challenges.Api.RateLimiting;

namespace Challenges.Api.Verification;

/// <summary>
/// A verification method's start of a challenge for a client token's action: a code sent by SMS, WhatsApp or email, a
/// push to the user's devices; next a magic link mailed, passkey authentication options. The flow
/// (<see cref="VerificationFlow.StartAsync{TState, TResult}"/>) counts <see cref="Limits"/> and reads the action, the
/// user and the method's <see cref="ReadAsync"/> in one round trip, asks <see cref="Admit"/>, lets the method deliver
/// (<see cref="StartAsync"/>), and stores the challenge it returns together with the action's pointer to it in one atomic
/// write: two round trips in all.
/// </summary>
public interface IChallengeStart<TState, TResult>
{
    string Method { get; }

    /// <summary>Counted before anything else; taken back when no challenge starts.</summary>
    IReadOnlyList<(RateRule Rule, string Subject)> Limits(ClientCall request);

    /// <summary>The method's own reads for the start, issued with the action's and the user's.</summary>
    Task<TState> ReadAsync(ClientCall request);

    /// <summary>Null when the token's action may start this challenge, else the refusal.</summary>
    ApiError? Admit(ChallengeContext context);

    /// <summary>Picks the authenticator, delivers, and returns the challenge to store; or the refusal (nothing stored).</summary>
    Task<Outcome<NewChallenge<TResult>>> StartAsync(ChallengeContext context, TState state);
}

