using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>
/// The rules every enrolment of an authenticator follows, whatever its method: SMS, WhatsApp, email and push today,
/// and each method added later. A client token may enrol only while
/// <list type="bullet">
/// <item>the method is enabled for the tenant;</item>
/// <item>its action still exists and accepts a challenge (not BLOCK, CHALLENGE_FAILED or under review);</item>
/// <item>its user was not deleted after the action was tracked (<see cref="UserRecord.Generation"/>);</item>
/// <item>the user has no verified authenticator yet, or the token has <c>add:authenticators</c>;</item>
/// <item>the user stays within the tenant's authenticator caps.</item>
/// </list>
/// The first two are checked before anything is written (<see cref="CheckAction"/>); the others on the user document
/// the enrolment writes, inside its atomic update (<see cref="CheckUser"/>), so a concurrent change cannot slip past.
/// </summary>
public static class EnrolmentPolicy
{
    /// <summary>The token's action may enrol <paramref name="method"/>: null, or the refusal.</summary>
    public static ApiError? CheckAction(Tenant tenant, string method, ActionRecord? action)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!tenant.Allows(method))
        {
            return ApiError.Invalid($"verificationMethod: {method} is not enabled for this tenant.");
        }
        if (action is null)
        {
            return ApiError.NotFound("The token's action no longer exists.");
        }
        // A blocked, failed or reviewed action cannot be rescued by enrolling a factor; a succeeded one may add another.
        return ActionStates.AcceptsChallenge(action.State)
            ? null
            : ApiError.Conflict($"The action is {action.State}: it cannot be challenged or enrol an authenticator.");
    }

    /// <summary>
    /// The user document, as the enrolment is about to write it, allows this token to enrol. <paramref name="adding"/>:
    /// the enrolment creates a new authenticator (reusing one the user already has is not capped).
    /// </summary>
    public static ApiError? CheckUser(Tenant tenant, UserRecord user, ClientToken token, ActionRecord action, string method, bool adding)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(action);
        if (action.UserGeneration != user.Generation)
        {
            return ApiError.NotFound("The token's action no longer exists: its user was deleted after it was tracked.");
        }
        if (user.IsEnrolled && !token.Has(Scopes.AddAuthenticators))
        {
            return ApiError.Forbidden("The user already has a verified authenticator: adding another needs a token with the add:authenticators scope.");
        }
        return adding ? AuthenticatorCaps.Check(tenant, user, method) : null;
    }
}
