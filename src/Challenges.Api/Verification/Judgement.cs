using Challenges.Api.Actions;
using Challenges.Api.Storage;

namespace Challenges.Api.Verification;

/// <summary>A method's verdict on a proof.</summary>
/// <param name="Result">What it does to the action.</param>
/// <param name="Move">The challenge's own change (an attempt counted, marked verified, the token taken), or <see cref="StoreWrite.None"/>.</param>
/// <param name="EndedAs">How the challenge ended with this move, for the count of completed challenges; null when it did not end now.</param>
/// <param name="AuthenticatorId">The authenticator that answered, verified on success (an enrolment ends).</param>
/// <param name="Token">The client token a success hands out, if any (a push hands it out once).</param>
/// <param name="FailureReason">Why it failed, for the reply.</param>
/// <param name="Authenticator">
/// The answering authenticator as the method writes it on success, in place of the one in the user as read: a new one (a
/// passkey whose registration is the proof), or one with state of its own moved (a passkey's sign count). Null: the one
/// <paramref name="AuthenticatorId"/> names, as read.
/// </param>
public sealed record Judgement(ChallengeResult Result, StoreWrite Move, string? EndedAs = null, string? AuthenticatorId = null,
    TokenGrant Token = TokenGrant.None, string? FailureReason = null, Users.AuthenticatorRecord? Authenticator = null)
{
    /// <summary>Nothing to write and nothing decided (still pending, already used).</summary>
    public bool ChangesNothing => Result == ChallengeResult.Undecided && ReferenceEquals(Move, StoreWrite.None);
}
