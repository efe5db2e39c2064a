using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Passkeys;

/// <summary>
/// Passkeys and security keys on the Client API (docs/contract.md, passkeys). The <c>/web</c> variants the browser SDK
/// calls with <c>useCookies</c> are aliases of the plain paths: they answer the same bodies, with <c>accessToken</c>,
/// and set no cookie.
/// </summary>
public static class PasskeyEndpoints
{
    private const string Tag = "Passkeys";

    public static IServiceCollection AddPasskeys(this IServiceCollection services)
    {
        services.AddSingleton<PasskeyStore>();
        services.AddSingleton<PasskeyService>();
        services.AddSingleton<BatchEnrolment>();
        services.AddSingleton<IVerifiedEnrolment, PasskeyVerifiedEnrolment>();
        services.AddSingleton<FluentValidation.IValidator<BatchEnrolRequest>, BatchEnrolRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<RegistrationOptionsRequest>, RegistrationOptionsRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<AddPasskeyRequest>, AddPasskeyRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<AuthenticationOptionsRequest>, AuthenticationOptionsRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<VerifyPasskeyRequest>, VerifyPasskeyRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<SecurityKeyRegistrationRequest>, SecurityKeyRegistrationRequestValidator>();
        services.AddSingleton<FluentValidation.IValidator<SecurityKeyAuthenticationRequest>, SecurityKeyAuthenticationRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapPasskeys(this IEndpointRouteBuilder app)
    {
        var client = app.MapGroup("/v1/client").ClientApi(Tag)
            .ProducesError(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status429TooManyRequests);
        client.MapPost("/user-authenticators/passkey/registration-options", RegistrationOptions)
            .WithSummary("Creation options for a new passkey of the token's user; the challenge lives 5 minutes and answers once.");
        client.MapPost("/user-authenticators/passkey/registration-options/web", RegistrationOptions)
            .WithSummary("The same as registration-options (the browser SDK's useCookies path; no cookie is set).");
        client.MapPost("/user-authenticators/passkey", AddPasskey)
            .WithSummary("Add the passkey created with the options: checked, then stored as a verified PASSKEY authenticator.");
        client.MapPost("/user-authenticators/security-key/registration-options", SecurityKeyRegistrationOptions)
            .WithSummary("Creation options for a security key (bare options: the challenge is bound to the token's action).");
        client.MapPost("/user-authenticators/security-key", AddSecurityKey)
            .WithSummary("Add the security key created with the latest options of the token's action.");
        client.MapPost("/user-authenticators/security-key/authentication-options", SecurityKeyAuthenticationOptions)
            .WithSummary("Request options for the user's security keys (bare options).");
        client.MapPost("/verify/security-key", VerifySecurityKey).WithSummary("Verify a security key's assertion for the token's action.");

        var either = app.MapGroup("/v1/client").RequireAuthorization(AuthSchemes.ClientOrTenantPolicy).WithValidation().WithTags(Tag)
            .RequireCors(CorsSetup.ClientPolicy)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        either.MapPost("/user-authenticators/passkey/authentication-options", AuthenticationOptions)
            .WithSummary("Request options: for the token's user's passkeys (Bearer), or for a passwordless sign-in (tenant Basic).");
        either.MapPost("/user-authenticators/passkey/authentication-options/web", AuthenticationOptions)
            .WithSummary("The same as authentication-options (the browser SDK's useCookies path; no cookie is set).");
        either.MapPost("/verify/passkey", VerifyPasskey)
            .WithSummary("Verify a passkey assertion: MFA for the token's action (Bearer), or a sign-in whose credential names the user (tenant Basic).");
        either.MapPost("/challenge/web", OtpClientEndpoints.Reserve)
            .WithSummary("The same as POST /v1/client/challenge (the browser SDK's useCookies path; no cookie is set).");

        app.MapGroup("/v1/client").RequireAuthorization(AuthSchemes.DevicePolicy).WithValidation().WithTags(Tag).RequireCors(CorsSetup.ClientPolicy)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable)
            .MapGet("/user-authenticators/passkey", Probe)
            .WithSummary("Whether the server holds a passkey: credentialId (mobile) or credentialIds, comma-separated (web); the first known one.");
        app.MapGroup("/v1/users").ServerApi("Users").MapPost("/authenticators", BatchEnrol)
            .WithSummary("Enrol up to 1000 passkeys verified elsewhere (a migration); 200 with the failures of single items.");
        return app;
    }

    public static async Task<Ok<BatchEnrolResponse>> BatchEnrol(BatchEnrolRequest? request, Caller caller, BatchEnrolment enrolment) =>
        TypedResults.Ok(await enrolment.EnrolAsync(caller.Tenant, [.. request!.Authenticators!.OfType<BatchEnrolItem>()]));

    public static async Task<Results<Ok<RegistrationOptionsResponse>, ErrorResult>> RegistrationOptions(RegistrationOptionsRequest? request,
        ClientCall call, PasskeyService service) =>
        (await service.RegistrationOptionsAsync(call, VerificationMethods.Passkey, request!)).ToHttp();

    public static async Task<Results<Ok<AddPasskeyResponse>, ErrorResult>> AddPasskey(AddPasskeyRequest? request, ClientCall call,
        PasskeyService service) =>
        (await service.AddAsync(call, VerificationMethods.Passkey, request!.RegistrationCredential!, request.ChallengeId,
            request.ConditionalCreate == true, request.DeviceId)).ToHttp();

    public static async Task<Results<Ok<AuthenticationOptionsResponse>, ErrorResult>> AuthenticationOptions(AuthenticationOptionsRequest? request,
        Caller caller, ClientAddress address, HttpContext context, PasskeyService service) =>
        (caller.Token is { } token
            ? await service.AuthenticationOptionsAsync(new ClientCall(caller.Tenant, token, address.Of(context)), VerificationMethods.Passkey)
            : await service.SignInOptionsAsync(caller.Tenant, request!.ChallengeId, address.Of(context))).ToHttp();

    public static async Task<Results<Ok<VerifyPasskeyResponse>, ErrorResult>> VerifyPasskey(VerifyPasskeyRequest? request, Caller caller,
        ClientAddress address, HttpContext context, PasskeyService service) =>
        (caller.Token is { } token
            ? await service.VerifyAsync(new ClientCall(caller.Tenant, token, address.Of(context)), VerificationMethods.Passkey,
                request!.AuthenticationCredential!, request.ChallengeId)
            : await service.SignInAsync(caller.Tenant, request!.AuthenticationCredential!, request.ChallengeId!, request.DeviceId,
                address.Of(context))).ToHttp();

    public static async Task<Results<Ok<PasskeyProbeResponse>, ErrorResult>> Probe(string? credentialId, string? credentialIds, Caller caller,
        PasskeyService service)
    {
        var ids = (credentialIds ?? credentialId ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0 || ids.Length > PasskeyService.MaxProbedIds)
        {
            return ApiError.Invalid($"credentialId or credentialIds: one to {PasskeyService.MaxProbedIds} credential ids are required.").ToResult();
        }
        return (await service.ProbeAsync(caller.Tenant, ids)).ToHttp();
    }

    public static async Task<Results<Ok<CreationOptionsJson>, ErrorResult>> SecurityKeyRegistrationOptions(ClientCall call, PasskeyService service) =>
        (await service.RegistrationOptionsAsync(call, VerificationMethods.SecurityKey, new RegistrationOptionsRequest(null, null, null)))
        .Map(o => o.Options).ToHttp();

    public static async Task<Results<Ok<AddSecurityKeyResponse>, ErrorResult>> AddSecurityKey(SecurityKeyRegistrationRequest? request,
        ClientCall call, PasskeyService service) =>
        (await service.AddAsync(call, VerificationMethods.SecurityKey, request!.Credential!, null, false, null))
        .Map(r => new AddSecurityKeyResponse(r.IsVerified, r.AccessToken, r.UserAuthenticatorId)).ToHttp();

    public static async Task<Results<Ok<RequestOptionsJson>, ErrorResult>> SecurityKeyAuthenticationOptions(ClientCall call, PasskeyService service) =>
        (await service.AuthenticationOptionsAsync(call, VerificationMethods.SecurityKey)).Map(o => o.Options).ToHttp();

    public static async Task<Results<Ok<VerifySecurityKeyResponse>, ErrorResult>> VerifySecurityKey(SecurityKeyAuthenticationRequest? request,
        ClientCall call, PasskeyService service) =>
        (await service.VerifyAsync(call, VerificationMethods.SecurityKey, request!.Credential!, null))
        .Map(r => new VerifySecurityKeyResponse(r.IsVerified, r.AccessToken)).ToHttp();
}
