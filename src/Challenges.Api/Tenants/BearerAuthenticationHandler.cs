using Challenges.Api.Http;
using Challenges.Api.Tokens;
using Microsoft.AspNetCore.Authentication;

namespace Challenges.Api.Tenants;

/// <summary>
/// The Client API's Bearer scheme: the client token is checked and its claims read once (docs/contract.md 1.3). A
/// genuine token past its lifetime answers <c>expired_token</c>; any other bad token, or one naming no configured
/// tenant, <c>unauthorized</c>.
/// </summary>
public sealed class BearerAuthenticationHandler(TokenService tokens, TenantRegistry tenants) : ContractAuthenticationHandler
{
    private static readonly AuthenticateResult Expired = AuthenticateResult.Fail("The token has expired.");
    private static readonly AuthenticateResult NotValid = AuthenticateResult.Fail("The token is not valid.");

    protected override AuthenticateResult Authenticate()
    {
        var authorization = Context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = authorization[7..].Trim();
        if (token.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }
        var check = tokens.Check(token);
        if (check.Status == TokenStatus.Expired)
        {
            return Expired;
        }
        return check.Status == TokenStatus.Valid && tenants.FindById(check.Token!.TenantId) is { } tenant
            ? Success(tenant, check.Token)
            : NotValid;
    }

    protected override ApiError Refusal(AuthenticateResult result) =>
        result == Expired ? new ApiError(ErrorCodes.ExpiredToken, "The token has expired.")
        : ApiError.Unauthorized(result.None ? "A Bearer token is required." : "The token is not valid.");
}
