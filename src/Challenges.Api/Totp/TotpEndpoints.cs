using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Totp;

/// <summary>The answer to an authenticator-app enrolment: the only time the secret is shown.</summary>
/// <param name="UserAuthenticatorId">The new, unverified authenticator.</param>
/// <param name="UserId">Its user.</param>
/// <param name="Uri">The <c>otpauth://totp/</c> URI to show as a QR code.</param>
/// <param name="Secret">The same secret as unpadded Base32, to type in.</param>
public sealed record EnrolTotpResponse(string UserAuthenticatorId, string UserId, string Uri, string Secret);

/// <summary>Client API (Bearer) for authenticator apps (docs/contract.md §3.4): enrol and verify, on web and mobile alike.</summary>
public static class TotpEndpoints
{
    public static IServiceCollection AddTotp(this IServiceCollection services)
    {
        services.AddSingleton<TotpCodes>();
        services.AddSingleton<TotpStore>();
        services.AddSingleton<TotpService>();
        services.AddSingleton<IVerifiedEnrolment, TotpVerifiedEnrolment>();
        return services;
    }

    public static IEndpointRouteBuilder MapTotp(this IEndpointRouteBuilder app)
    {
        var client = app.MapGroup("/v1/client").ClientApi("Client authenticator app")
            .ProducesError(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict,
                StatusCodes.Status429TooManyRequests);
        client.MapPost("/user-authenticators/totp", Enrol)
            .WithSummary("Add an authenticator app: a new secret as an otpauth:// URI and as text; unverified until a code verifies.");
        client.MapPost("/verify/totp", Verify)
            .WithSummary("Verify a code from the user's authenticator app: the one being enrolled, else a verified one.");
        return app;
    }

    public static async Task<Results<Ok<EnrolTotpResponse>, ErrorResult>> Enrol(ClientCall call, TotpService service) =>
        (await service.EnrolAsync(call)).ToHttp();

    public static async Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> Verify(ClientVerifyRequest? request, ClientCall call,
        TotpService service) =>
        (await service.VerifyAsync(call, request!.VerificationCode!)).ToHttp();
}
