using Challenges.Api.Http;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>
/// The secret a Server API enrolment brings for an authenticator (an authenticator app's <c>otpUri</c>, a passkey's
/// credential).
/// </summary>
/// <param name="Fill">The new authenticator (its id, method and times set) with the secret stored on it.</param>
/// <param name="IsHeldBy">
/// True when an authenticator the user has already holds this secret (of any method: a passkey's credential may be held
/// as a security key): enrolled again, it is answered as is.
/// </param>
public sealed record EnrolmentSecret(Func<AuthenticatorRecord, AuthenticatorRecord> Fill, Func<AuthenticatorRecord, bool> IsHeldBy);

/// <summary>
/// A verification method whose authenticators the Server API enrols verified from a secret of the method's own
/// (<c>POST /v1/users/{userId}/authenticators</c>); the method's folder implements it, <see cref="UserService"/> calls it.
/// </summary>
public interface IVerifiedEnrolment
{
    string Method { get; }

    /// <summary>
    /// The request's secret, or the refusal: a 400 when the secret is missing or malformed, a 409 when it may not be the
    /// user's (a passkey credential another user holds).
    /// </summary>
    Task<Outcome<EnrolmentSecret>> ReadAsync(Tenant tenant, string userId, EnrolAuthenticatorRequest request);
}

/// <summary>
/// Recovery codes, issued when a Server API enrolment gives a user their first verified authenticator and the tenant
/// enables them; answered once, in that enrolment's reply.
/// </summary>
public interface IRecoveryCodeIssuer
{
    /// <summary>New codes for the user, or null when the tenant does not enable them or the user already has some.</summary>
    Task<IReadOnlyList<string>?> IssueAsync(Tenant tenant, string userId);
}
