using Challenges.Api.Http;
using Challenges.Api.Push;
using Challenges.Api.Tenants;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Sessions;

/// <summary>Server API: sessions made from a successful challenge, and each tenant's JWKS (docs/contract.md §2.4).</summary>
public static class SessionEndpoints
{
    public static IServiceCollection AddSessions(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<TenantsOptions>, SessionOptionsValidator>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SigningKeySeal>();
        services.AddSingleton<SessionSigningKeys>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<IValidator<CreateSessionRequest>, CreateSessionRequestValidator>();
        services.AddSingleton<IValidator<ValidateSessionRequest>, ValidateSessionRequestValidator>();
        services.AddSingleton<IValidator<RefreshSessionRequest>, RefreshSessionRequestValidator>();
        services.AddSingleton<IValidator<RevokeSessionRequest>, RevokeSessionRequestValidator>();
        services.AddSingleton<IValidator<RevokeUserSessionsRequest>, RevokeUserSessionsRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/v1/sessions").ServerApi("Sessions");
        sessions.MapPost("", Create)
            .WithSummary("Make a session from a client token whose action succeeded a challenge: an access token and a refresh token.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        sessions.MapPost("/validate", Validate)
            .WithSummary("Validate an access token: signature, expiry, app client, and that its session is still current.");
        sessions.MapPost("/refresh", Refresh)
            .WithSummary("Exchange a refresh token for a new pair; reusing a replaced refresh token revokes the session.");
        sessions.MapPost("/revoke", Revoke).WithSummary("Revoke the session of an access token (expired or not).");
        sessions.MapPost("/user/revoke", RevokeUser).WithSummary("Revoke every session of a user.");

        app.MapGet("/v1/tenants/{tenantId}/.well-known/jwks.json", Jwks).AllowAnonymous().WithTags("Sessions")
            .WithSummary("The tenant's session signing keys as a JWK Set, to verify access tokens without calling the server.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    /// <summary>The tenant's access token issuer: <c>PublicUrl</c> (in Development without it, the request's own URL).</summary>
    private static string Issuer(PublicUrl publicUrl, HttpContext context, Tenant tenant) =>
        AccessTokens.Issuer(publicUrl.For(context), tenant.Id);

    // The validation filter of the route group has checked each request (an absent body as an empty one): not null here.

    public static async Task<Results<Ok<SessionTokensResponse>, ErrorResult>> Create(CreateSessionRequest? request, Caller caller,
        SessionService service, PublicUrl publicUrl, HttpContext context) =>
        (await service.CreateAsync(caller.Tenant, Issuer(publicUrl, context, caller.Tenant), request!)).ToHttp();

    public static async Task<Results<Ok<ValidateSessionResponse>, ErrorResult>> Validate(ValidateSessionRequest? request, Caller caller,
        SessionService service, PublicUrl publicUrl, HttpContext context) =>
        (await service.ValidateAsync(caller.Tenant, Issuer(publicUrl, context, caller.Tenant), request!)).ToHttp();

    public static async Task<Results<Ok<SessionTokensResponse>, ErrorResult>> Refresh(RefreshSessionRequest? request, Caller caller,
        SessionService service, PublicUrl publicUrl, HttpContext context) =>
        (await service.RefreshAsync(caller.Tenant, Issuer(publicUrl, context, caller.Tenant), request!)).ToHttp();

    public static async Task<Results<Ok<EmptyResponse>, ErrorResult>> Revoke(RevokeSessionRequest? request, Caller caller,
        SessionService service, PublicUrl publicUrl, HttpContext context) =>
        (await service.RevokeAsync(caller.Tenant, Issuer(publicUrl, context, caller.Tenant), request!)).ToHttp();

    public static async Task<Results<Ok<EmptyResponse>, ErrorResult>> RevokeUser(RevokeUserSessionsRequest? request, Caller caller,
        SessionService service) =>
        (await service.RevokeUserAsync(caller.Tenant, request!)).ToHttp();

    /// <summary>No credential: the keys are public. Verifiers may keep the set for five minutes (see README on rotation).</summary>
    public static async Task<Results<Ok<JwksResponse>, ErrorResult>> Jwks(string tenantId, TenantRegistry tenants, SessionService service,
        HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (tenants.FindById(tenantId) is not { } tenant)
        {
            return ApiError.NotFound("No such tenant.").ToResult();
        }
        var jwks = await service.JwksAsync(tenant);
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Ok(jwks);
    }
}
