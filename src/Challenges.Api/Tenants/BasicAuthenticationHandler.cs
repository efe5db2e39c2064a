using System.Security.Claims;
using System.Text.Encodings.Web;
using Challenges.Api.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tenants;

/// <summary>
/// Basic authentication for both Basic schemes: <see cref="AuthSchemes.SecretKey"/> resolves a secret key,
/// <see cref="AuthSchemes.TenantBasic"/> a tenant id. Failures answer with the contract's 401 body.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantRegistry tenants) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? authorization = Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var credential = BasicCredentials.Decode(authorization);
        var tenant = Scheme.Name == AuthSchemes.SecretKey ? tenants.FindBySecretKey(credential) : tenants.FindById(credential);
        if (tenant is null)
        {
            return Task.FromResult(AuthenticateResult.Fail(Scheme.Name == AuthSchemes.SecretKey ? "Unknown secret key." : "Unknown tenant."));
        }
        Caller.Set(Context, new Caller(tenant, null));
        var identity = new ClaimsIdentity([new Claim("tenant", tenant.Id)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        var description = Scheme.Name == AuthSchemes.SecretKey
            ? "A valid secret key is required: Authorization: Basic base64(secretKey:)."
            : "A valid tenant is required: Authorization: Basic base64(tenantId:) or a Bearer token.";
        return ErrorWriter.WriteAsync(Context, ApiError.Unauthorized(description));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Response.HasStarted ? Task.CompletedTask : ErrorWriter.WriteAsync(Context, ApiError.Forbidden("Access denied."));
}
