using Challenges.Api.Http;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>How many authenticators a user may hold: the tenant's caps, for every enrolment (the Server API's too).</summary>
public static class AuthenticatorCaps
{
    /// <summary>
    /// One more authenticator of <paramref name="method"/> keeps the user within the tenant's caps: null, or the refusal
    /// (409, since it is the user's state, not the request, that refuses it).
    /// </summary>
    public static ApiError? Check(Tenant tenant, UserRecord user, string method)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(user);
        var limits = tenant.Limits;
        if (user.Authenticators.Count >= limits.MaxAuthenticatorsPerUser)
        {
            return ApiError.Conflict($"The user already holds {limits.MaxAuthenticatorsPerUser} authenticators, the most allowed: remove one first.");
        }
        var cap = method == VerificationMethods.Push ? limits.MaxPushDevicesPerUser : limits.MaxAuthenticatorsPerMethod;
        return user.Authenticators.Count(a => a.VerificationMethod == method) >= cap
            ? ApiError.Conflict($"The user already holds {cap} {method} authenticators, the most allowed: remove one first.")
            : null;
    }
}
