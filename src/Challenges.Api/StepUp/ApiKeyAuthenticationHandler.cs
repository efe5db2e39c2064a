using System.Security.Claims;
using System.Text.Encodings.Web;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Challenges.Api.StepUp;

/// <summary>
/// The step-up API's second credential (ours): a tenant secret key in the <c>api-key</c> header, naming the tenant
/// only (the request names the user). Failures answer in the step-up API's own error shape.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TenantRegistry tenants) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Header = "api-key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = Request.Headers[Header].ToString();
        if (apiKey.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (tenants.FindBySecretKey(apiKey) is not { } tenant)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown secret key."));
        }
        Caller.Set(Context, new Caller(tenant, null));
        var identity = new ClaimsIdentity([new Claim("tenant", tenant.Id)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Response.HasStarted
            ? Task.CompletedTask
            : ErrorWriter.WriteAsync(Context, ApiError.Unauthorized(Request.Headers[Header].ToString().Length == 0
                ? "Authorization: Bearer <client token> or an api-key header is required."
                : "The api-key is not a valid secret key."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Response.HasStarted ? Task.CompletedTask : ErrorWriter.WriteAsync(Context, ApiError.Forbidden("Access denied."));
}
