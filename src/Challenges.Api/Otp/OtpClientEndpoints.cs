using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Otp;

/// <summary>Client API (Bearer) for OTP channels: enrol, start, verify, list authenticators (CONTRACT.md 3.1).</summary>
public static class OtpClientEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var client = app.MapGroup("/v1/client").ClientApi("Client OTP")
            .ProducesError(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status502BadGateway);
        client.MapPost("/user-authenticators/sms", EnrolSms).WithSummary("Add an SMS authenticator and send it a code; unverified until verify.");
        client.MapPost("/user-authenticators/email-otp", EnrolEmail)
            .WithSummary("Add an email OTP authenticator and send it a code; unverified until verify.");
        client.MapPost("/challenge/sms", StartSms).WithSummary("Send a code to the user's SMS authenticator.");
        client.MapPost("/challenge/whatsapp", StartWhatsApp).WithSummary("Send a code by WhatsApp to the user's phone.");
        client.MapPost("/challenge/email-otp", StartEmail).WithSummary("Send a code to the user's email OTP authenticator.");
        client.MapPost("/verify/sms", VerifySms).WithSummary("Verify the code of the token's latest SMS challenge.");
        client.MapPost("/verify/whatsapp", VerifyWhatsApp).WithSummary("Verify the code of the token's latest WhatsApp challenge.");
        client.MapPost("/verify/email-otp", VerifyEmail).WithSummary("Verify the code of the token's latest email OTP challenge.");
        client.MapGet("/user-authenticators", ListAuthenticators).WithSummary("The user's verified authenticators.");

        app.MapGroup("/v1/client").RequireAuthorization(AuthSchemes.ClientOrTenantPolicy).WithValidation().WithTags("Client OTP")
            .RequireCors(CorsSetup.ClientPolicy)
            .ProducesError(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable)
            .MapPost("/challenge", Reserve)
            .WithSummary("Reserve a challenge id for the token's action (Bearer) or for an action (tenant Basic); nothing is sent.");
    }

    public static async Task<Results<Ok<EnrolOtpResponse>, ErrorResult>> EnrolSms(EnrolSmsRequest? request, Caller caller, OtpService service,
        ClientAddress address, HttpContext context)
    {
        if (request is null)
        {
            return ApiError.Invalid("phoneNumber: is required.").ToResult();
        }
        var token = caller.RequiredToken;
        var outcome = await service.EnrolAsync(caller.Tenant, token, VerificationMethods.Sms, request.PhoneNumber!, request.SmsChannel,
            address.Of(context));
        return outcome.Value is { } a ? TypedResults.Ok(new EnrolOtpResponse(a.Id, token.UserId)) : outcome.Error!.ToResult();
    }

    public static async Task<Results<Ok<EnrolOtpResponse>, ErrorResult>> EnrolEmail(EnrolEmailRequest? request, Caller caller, OtpService service,
        ClientAddress address, HttpContext context)
    {
        if (request is null)
        {
            return ApiError.Invalid("email: is required.").ToResult();
        }
        var token = caller.RequiredToken;
        var outcome = await service.EnrolAsync(caller.Tenant, token, VerificationMethods.EmailOtp, request.Email!, null, address.Of(context));
        return outcome.Value is { } a ? TypedResults.Ok(new EnrolOtpResponse(a.Id, token.UserId)) : outcome.Error!.ToResult();
    }

    public static Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartSms(StartSmsRequest? request, Caller caller, OtpService service,
        ClientAddress address, HttpContext context) =>
        StartAsync(VerificationMethods.Sms, request?.SmsChannel, caller, service, address, context);

    public static Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartWhatsApp(Caller caller, OtpService service,
        ClientAddress address, HttpContext context) =>
        StartAsync(VerificationMethods.WhatsApp, null, caller, service, address, context);

    public static Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartEmail(Caller caller, OtpService service,
        ClientAddress address, HttpContext context) =>
        StartAsync(VerificationMethods.EmailOtp, null, caller, service, address, context);

    private static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartAsync(string method, string? smsChannel, Caller caller,
        OtpService service, ClientAddress address, HttpContext context)
    {
        var outcome = await service.StartAsync(caller.Tenant, caller.RequiredToken, method, smsChannel, address.Of(context));
        return outcome.Value is { } c ? TypedResults.Ok(new ClientChallengeResponse(c.Id)) : outcome.Error!.ToResult();
    }

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifySms(ClientVerifyRequest? request, Caller caller, OtpService service) =>
        VerifyAsync(VerificationMethods.Sms, request, caller, service);

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyWhatsApp(ClientVerifyRequest? request, Caller caller, OtpService service) =>
        VerifyAsync(VerificationMethods.WhatsApp, request, caller, service);

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyEmail(ClientVerifyRequest? request, Caller caller, OtpService service) =>
        VerifyAsync(VerificationMethods.EmailOtp, request, caller, service);

    private static async Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyAsync(string method, ClientVerifyRequest? request,
        Caller caller, OtpService service)
    {
        if (request is null)
        {
            return ApiError.Invalid("verificationCode: is required.").ToResult();
        }
        var outcome = await service.VerifyAsync(caller.Tenant, caller.RequiredToken, method, request.VerificationCode!);
        if (outcome.Value is not { } v)
        {
            return outcome.Error!.ToResult();
        }
        return TypedResults.Ok(new ClientVerifyResponse(v.IsVerified, v.AccessToken, v.FailureReason, v.UserAuthenticator));
    }

    public static async Task<Ok<AuthenticatorResponse[]>> ListAuthenticators(Caller caller, OtpService service) =>
        TypedResults.Ok((await service.ListAuthenticatorsAsync(caller.Tenant, caller.RequiredToken)).ToArray());

    public static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> Reserve(ClientChallengeRequest? request, Caller caller,
        OtpService service, ClientAddress address, HttpContext context)
    {
        var outcome = await service.ReserveAsync(caller.Tenant, caller.Token, request?.Action, address.Of(context));
        return outcome.Value is { } c ? TypedResults.Ok(new ClientChallengeResponse(c.Id)) : outcome.Error!.ToResult();
    }
}
