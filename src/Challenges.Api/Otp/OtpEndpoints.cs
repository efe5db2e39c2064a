using Challenges.Api.Delivery;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Otp;

/// <summary>OTP challenges: the Server API's passwordless calls (docs/contract.md §2.2) and the Client API's (§3.1).</summary>
public static class OtpEndpoints
{
    public static IServiceCollection AddOtp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOtpDelivery();
        services.AddSingleton(provider => new OtpCodes(provider.GetRequiredService<SigningKeyProvider>().OtpKey));
        services.AddSingleton<OtpChallengeStore>();
        services.AddSingleton<OtpSender>();
        services.AddSingleton<PasswordlessService>();
        services.AddSingleton<OtpClientService>();
        services.AddSingleton<IValidator<InitiateChallengeRequest>, InitiateChallengeRequestValidator>();
        services.AddSingleton<IValidator<VerifyChallengeRequest>, VerifyChallengeRequestValidator>();
        services.AddSingleton<IValidator<ClaimChallengeRequest>, ClaimChallengeRequestValidator>();
        services.AddSingleton<IValidator<ChallengeQuery>, ChallengeQueryValidator>();
        services.AddSingleton<IValidator<ChallengeLookup>, ChallengeLookupValidator>();
        services.AddSingleton<IValidator<EnrolSmsRequest>, EnrolSmsRequestValidator>();
        services.AddSingleton<IValidator<EnrolEmailRequest>, EnrolEmailRequestValidator>();
        services.AddSingleton<IValidator<StartSmsRequest>, StartSmsRequestValidator>();
        services.AddSingleton<IValidator<ClientVerifyRequest>, ClientVerifyRequestValidator>();
        services.AddSingleton<IValidator<ClientChallengeRequest>, ClientChallengeRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapOtp(this IEndpointRouteBuilder app)
    {
        var server = app.MapGroup("/v1").ServerApi("Challenges");
        server.MapPost("/challenge", Initiate)
            .WithSummary("Start a passwordless OTP challenge by SMS, WhatsApp or email; unbound until claimed unless userId is given.")
            .ProducesError(StatusCodes.Status429TooManyRequests, StatusCodes.Status502BadGateway);
        server.MapPost("/verify", Verify).WithSummary("Check a code; a wrong or expired code is isVerified:false with a failureReason.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests);
        server.MapPost("/claim", Claim)
            .WithSummary("Bind a verified challenge to a user; the token's action is CHALLENGE_SUCCEEDED, so /v1/validate accepts it once.")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        server.MapGet("/challenges", GetChallenge).WithSummary("Find a pending challenge by id, or a user's latest one; {} when none.");
        server.MapPost("/challenges", PostChallenge).WithSummary("As GET /v1/challenges, for SDKs that post (query string or JSON body).");

        OtpClientEndpoints.Map(app);
        return app;
    }

    public static async Task<Results<Ok<InitiateChallengeResponse>, ErrorResult>> Initiate(InitiateChallengeRequest? request, Caller caller,
        PasswordlessService service) =>
        (await service.InitiateAsync(caller.Tenant, request!))
            .Map(c => new InitiateChallengeResponse(c.Id, c.IdempotencyKey, c.ExpiresAt.ToUnixTimeSeconds())).ToHttp();

    public static async Task<Results<Ok<VerifyChallengeResponse>, ErrorResult>> Verify(VerifyChallengeRequest? request, Caller caller,
        PasswordlessService service) =>
        (await service.VerifyAsync(caller.Tenant, request!.ChallengeId!, request.VerificationCode!))
            .Map(v => new VerifyChallengeResponse(v.IsVerified, v.VerificationMethod, v.Email, v.PhoneNumber, v.FailureReason)).ToHttp();

    public static async Task<Results<Ok<ClaimChallengeResponse>, ErrorResult>> Claim(ClaimChallengeRequest? request, Caller caller,
        PasswordlessService service) =>
        (await service.ClaimAsync(caller.Tenant, request!.ChallengeId!, request.UserId!, request.SkipVerificationCheck ?? false))
            .Map(c => new ClaimChallengeResponse(c.Token, c.VerificationMethod)).ToHttp();

    public static async Task<Ok<ChallengeLookupResponse>> GetChallenge([AsParameters] ChallengeQuery query, Caller caller,
        PasswordlessService service) =>
        TypedResults.Ok(ChallengeLookupResponse.From(await service.LookupAsync(caller.Tenant, query)));

    public static async Task<Ok<ChallengeLookupResponse>> PostChallenge([AsParameters] ChallengeLookup lookup, Caller caller,
        PasswordlessService service) =>
        TypedResults.Ok(ChallengeLookupResponse.From(await service.LookupAsync(caller.Tenant, lookup.Query)));
}
