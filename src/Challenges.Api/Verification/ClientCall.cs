using System.Reflection;
using Challenges.Api.Actions;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;

namespace Challenges.Api.Verification;

/// <summary>
/// A client token's call to a verification method: the tenant, the token, and the end user's address. Endpoints take it
/// as a parameter; it binds from the authenticated request.
/// </summary>
public sealed record ClientCall(Tenant Tenant, ClientToken Token, string ClientAddress)
{
    public static ValueTask<ClientCall?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller.Get(context) ?? throw new InvalidOperationException("ClientCall used on an endpoint without authentication.");
        return ValueTask.FromResult<ClientCall?>(new ClientCall(caller.Tenant, caller.RequiredToken,
            context.RequestServices.GetRequiredService<ClientAddress>().Of(context)));
    }

    public ActionRef Action => ActionRef.Of(Token);

    /// <summary>A new challenge id in the slot of the token's user and action (see <see cref="ChallengeIds"/>).</summary>
    public string NewChallengeId() => ChallengeIds.New(HashTags.User(Tenant.Id, Token.UserId));
}
