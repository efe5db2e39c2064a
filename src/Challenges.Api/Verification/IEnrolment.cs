using Challenges.Api.Http;

namespace Challenges.Api.Verification;

/// <summary>
/// A verification method's enrolment of an authenticator by a client token: an SMS number or email address (then a
/// first code), a push device key; next an authenticator app's secret, a magic-link address, a passkey. The flow
/// (<see cref="VerificationFlow.EnrolAsync{TResult}"/>) has already applied the action rule of
/// <c>EnrolmentPolicy</c>; the method writes the authenticator into the user document under
/// <see cref="ChallengeContext.MayEnrol"/>, checked on the document being written, then does what follows.
/// </summary>
public interface IEnrolment<TResult>
{
    /// <summary>The verification method enrolled, e.g. SMS.</summary>
    string Method { get; }

    Task<Outcome<TResult>> EnrolAsync(ChallengeContext context);
}
