using System.Security.Claims;
using Challenges.Api.Http;
using Challenges.Api.Tokens;
using Microsoft.AspNetCore.Authentication;

namespace Challenges.Api.Tenants;

/// <summary>
/// What the three authentication schemes share: the request is judged once, a success names the <see cref="Caller"/>,
/// and a refusal answers with the contract's error body (401 with the scheme's own description, 403 when forbidden).
/// Built on <see cref="IAuthenticationHandler"/> directly: no options, events or log lines per request.
/// </summary>
public abstract class ContractAuthenticationHandler : IAuthenticationHandler
{
    private AuthenticateResult? _result;

    protected HttpContext Context { get; private set; } = null!;

    protected AuthenticationScheme Scheme { get; private set; } = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        Scheme = scheme;
        Context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => Task.FromResult(_result ??= Authenticate());

    public Task ChallengeAsync(AuthenticationProperties? properties) =>
        Context.Response.HasStarted ? Task.CompletedTask : ErrorWriter.WriteAsync(Context, Refusal(_result ??= Authenticate()));

    public Task ForbidAsync(AuthenticationProperties? properties) =>
        Context.Response.HasStarted ? Task.CompletedTask : ErrorWriter.WriteAsync(Context, ApiError.Forbidden("Access denied."));

    /// <summary>The request's credentials judged: no result when they are not this scheme's, else success or failure.</summary>
    protected abstract AuthenticateResult Authenticate();

    /// <summary>The 401 answer after <paramref name="result"/> (no credentials of this scheme, or bad ones).</summary>
    protected abstract ApiError Refusal(AuthenticateResult result);

    protected AuthenticateResult Success(Tenant tenant, ClientToken? token)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        Caller.Set(Context, new Caller(tenant, token));
        var identity = new ClaimsIdentity([new Claim("tenant", tenant.Id)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}
