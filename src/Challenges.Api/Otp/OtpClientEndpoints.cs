using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Otp;

/// <summary>Client API (Bearer) for OTP channels: enrol, start, verify, list authenticators (docs/contract.md §3.1).</summary>
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

    public static async Task<Results<Ok<EnrolOtpResponse>, ErrorResult>> EnrolSms(EnrolSmsRequest? request, ClientCall call,
        OtpClientService service) =>
        (await service.EnrolAsync(call, VerificationMethods.Sms, request!.PhoneNumber!, request.SmsChannel)).ToHttp();

    public static async Task<Results<Ok<EnrolOtpResponse>, ErrorResult>> EnrolEmail(EnrolEmailRequest? request, ClientCall call,
        OtpClientService service) =>
        (await service.EnrolAsync(call, VerificationMethods.EmailOtp, request!.Email!, null)).ToHttp();

    public static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartSms(StartSmsRequest? request, ClientCall call,
        OtpClientService service) =>
        (await service.StartAsync(call, VerificationMethods.Sms, request!.SmsChannel)).ToHttp();

    public static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartWhatsApp(ClientCall call, OtpClientService service) =>
        (await service.StartAsync(call, VerificationMethods.WhatsApp, null)).ToHttp();

    public static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> StartEmail(ClientCall call, OtpClientService service) =>
        (await service.StartAsync(call, VerificationMethods.EmailOtp, null)).ToHttp();

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifySms(ClientVerifyRequest? request, ClientCall call,
        OtpClientService service) =>
        VerifyAsync(VerificationMethods.Sms, request!, call, service);

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyWhatsApp(ClientVerifyRequest? request, ClientCall call,
        OtpClientService service) =>
        VerifyAsync(VerificationMethods.WhatsApp, request!, call, service);

    public static Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyEmail(ClientVerifyRequest? request, ClientCall call,
        OtpClientService service) =>
        VerifyAsync(VerificationMethods.EmailOtp, request!, call, service);

    private static async Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> VerifyAsync(string method, ClientVerifyRequest request,
        ClientCall call, OtpClientService service) =>
        (await service.VerifyAsync(call, method, request.VerificationCode!)).ToHttp();

    public static async Task<Ok<AuthenticatorResponse[]>> ListAuthenticators(Caller caller, UserService service) =>
        TypedResults.Ok((await service.ListVerifiedAsync(caller.Tenant, caller.RequiredToken.UserId)).ToArray());

    public static async Task<Results<Ok<ClientChallengeResponse>, ErrorResult>> Reserve(ClientChallengeRequest? request, Caller caller,
        OtpClientService service, ClientAddress address, HttpContext context) =>
        (await service.ReserveAsync(caller.Tenant, caller.Token, request!.Action, address.Of(context))).ToHttp();
}
