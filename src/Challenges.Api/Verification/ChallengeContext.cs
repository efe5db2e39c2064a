using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Verification;

/// <summary>A client call with its action and user as read in the call's first round trip.</summary>
/// <param name="Call">The call.</param>
/// <param name="Action">The token's action, with the text it was read from; null when it no longer exists.</param>
/// <param name="User">The token's user, with the text it was read from.</param>
public sealed record ChallengeContext(ClientCall Call, Stored<ActionRecord>? Action, Stored<UserRecord> User)
{
    public Tenant Tenant => Call.Tenant;

    public ClientToken Token => Call.Token;

    /// <summary>
    /// The enrolment rules on a user document (<see cref="EnrolmentPolicy.CheckUser"/>): whether this token may continue
    /// or start an enrolment of <paramref name="method"/>; <paramref name="adding"/> when it creates a new authenticator.
    /// </summary>
    public ApiError? MayEnrol(UserRecord user, string method, bool adding) => Action is { Value: var action }
        ? EnrolmentPolicy.CheckUser(Tenant, user, Token, action, method, adding)
        : ApiError.NotFound("The token's action no longer exists.");
}
