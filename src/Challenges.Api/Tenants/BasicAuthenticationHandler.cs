using Challenges.Api.Http;
using Microsoft.AspNetCore.Authentication;

namespace Challenges.Api.Tenants;

/// <summary>
/// Basic authentication for both Basic schemes: <see cref="AuthSchemes.SecretKey"/> resolves a secret key,
/// <see cref="AuthSchemes.TenantBasic"/> a tenant id.
/// </summary>
public sealed class BasicAuthenticationHandler(TenantRegistry tenants) : ContractAuthenticationHandler
{
    private static readonly AuthenticateResult UnknownSecretKey = AuthenticateResult.Fail("Unknown secret key.");
    private static readonly AuthenticateResult UnknownTenant = AuthenticateResult.Fail("Unknown tenant.");

    private bool IsSecretKey => Scheme.Name == AuthSchemes.SecretKey;

    protected override AuthenticateResult Authenticate()
    {
        string? authorization = Context.Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var credential = BasicCredentials.Decode(authorization);
        var tenant = IsSecretKey ? tenants.FindBySecretKey(credential) : tenants.FindById(credential);
        if (tenant is null)
        {
            return IsSecretKey ? UnknownSecretKey : UnknownTenant;
        }
        return Success(tenant, null);
    }

    protected override ApiError Refusal(AuthenticateResult result) => ApiError.Unauthorized(IsSecretKey
        ? "A valid secret key is required: Authorization: Basic base64(secretKey:)."
        : "A valid tenant is required: Authorization: Basic base64(tenantId:) or a Bearer token.");
}
