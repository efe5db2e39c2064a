using Challenges.Api.Delivery;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Otp;

/// <summary>OTP challenges: the Server API's passwordless calls (CONTRACT.md 2) and the Client API's (3.1).</summary>
public static class OtpEndpoints
{
    private static readonly ChallengeQueryValidator QueryValidator = new();

    public static IServiceCollection AddOtp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOtpDelivery();
        services.AddSingleton(provider => new OtpCodes(provider.GetRequiredService<SigningKeyProvider>().OtpKey));
        services.AddSingleton<OtpStore>();
        services.AddSingleton<OtpService>();
        services.AddSingleton<IValidator<InitiateChallengeRequest>, InitiateChallengeRequestValidator>();
        services.AddSingleton<IValidator<VerifyChallengeRequest>, VerifyChallengeRequestValidator>();
        services.AddSingleton<IValidator<ClaimChallengeRequest>, ClaimChallengeRequestValidator>();
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
        OtpService service)
    {
        if (request is null)
        {
            return ApiError.Invalid("verificationMethod: is required.").ToResult();
        }
        var outcome = await service.InitiateAsync(caller.Tenant, request);
        if (outcome.Value is not { } c)
        {
            return outcome.Error!.ToResult();
        }
        return TypedResults.Ok(new InitiateChallengeResponse(c.Id, c.IdempotencyKey, c.ExpiresAt.ToUnixTimeSeconds()));
    }

    public static async Task<Results<Ok<VerifyChallengeResponse>, ErrorResult>> Verify(VerifyChallengeRequest? request, Caller caller,
        OtpService service)
    {
        if (request is null)
        {
            return ApiError.Invalid("challengeId: is required.").ToResult();
        }
        var outcome = await service.VerifyAsync(caller.Tenant, request.ChallengeId!, request.VerificationCode!);
        if (outcome.Value is not { } v)
        {
            return outcome.Error!.ToResult();
        }
        return TypedResults.Ok(new VerifyChallengeResponse(v.IsVerified, v.VerificationMethod, v.Email, v.PhoneNumber, v.FailureReason));
    }

    public static async Task<Results<Ok<ClaimChallengeResponse>, ErrorResult>> Claim(ClaimChallengeRequest? request, Caller caller,
        OtpService service)
    {
        if (request is null)
        {
            return ApiError.Invalid("challengeId: is required.").ToResult();
        }
        var outcome = await service.ClaimAsync(caller.Tenant, request.ChallengeId!, request.UserId!, request.SkipVerificationCheck ?? false);
        if (outcome.Value is not { } claimed)
        {
            return outcome.Error!.ToResult();
        }
        return TypedResults.Ok(new ClaimChallengeResponse(claimed.Token, claimed.VerificationMethod));
    }

    public static Task<Results<Ok<ChallengeLookupResponse>, ErrorResult>> GetChallenge(string? challengeId, string? userId, string? action,
        string? verificationMethod, Caller caller, OtpService service) =>
        LookupAsync(new ChallengeQuery(challengeId, userId, action, verificationMethod), caller, service);

    public static Task<Results<Ok<ChallengeLookupResponse>, ErrorResult>> PostChallenge(string? challengeId, string? userId, string? action,
        string? verificationMethod, ChallengeQuery? body, Caller caller, OtpService service) =>
        LookupAsync(new ChallengeQuery(challengeId, userId, action, verificationMethod).Merge(body), caller, service);

    private static async Task<Results<Ok<ChallengeLookupResponse>, ErrorResult>> LookupAsync(ChallengeQuery query, Caller caller, OtpService service)
    {
        var check = await QueryValidator.ValidateAsync(query);
        if (!check.IsValid)
        {
            return ApiError.Invalid(check.Errors[0].ErrorMessage).ToResult();
        }
        return TypedResults.Ok(ChallengeLookupResponse.From(await service.LookupAsync(caller.Tenant, query)));
    }
}
