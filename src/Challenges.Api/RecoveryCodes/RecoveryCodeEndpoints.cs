using Challenges.Api.Http;
using Challenges.Api.Otp;
using Challenges.Api.Tenants;
using Challenges.Api.Users;
using Challenges.Api.Verification;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.RecoveryCodes;

/// <summary>POST /v1/client/verify/recovery-code (ours).</summary>
/// <param name="VerificationCode">A recovery code as shown (<c>xxxxx-xxxxx</c>); case, hyphen and spaces do not matter.</param>
public sealed record RecoveryCodeRequest(string? VerificationCode);

public sealed class RecoveryCodeRequestValidator : AbstractValidator<RecoveryCodeRequest>
{
    public RecoveryCodeRequestValidator()
    {
        RuleFor(r => r.VerificationCode).NotEmpty().WithMessage("verificationCode: is required.")
            .Must(c => c is null || (c.Length <= 16 && c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or ' ')))
            .WithMessage("verificationCode: must be a recovery code (xxxxx-xxxxx).");
    }
}

/// <summary>Client API (Bearer): redeeming a recovery code (docs/contract.md §3.5).</summary>
public static class RecoveryCodeEndpoints
{
    public static IServiceCollection AddRecoveryCodes(this IServiceCollection services)
    {
        services.AddSingleton<RecoveryCodeStore>();
        services.AddSingleton<IUserErasure>(sp => sp.GetRequiredService<RecoveryCodeStore>());
        services.AddSingleton<RecoveryCodeService>();
        services.AddSingleton<IRecoveryCodeIssuer>(sp => sp.GetRequiredService<RecoveryCodeService>());
        services.AddSingleton<IValidator<RecoveryCodeRequest>, RecoveryCodeRequestValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapRecoveryCodes(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/client").ClientApi("Client recovery codes")
            .ProducesError(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests)
            .MapPost("/verify/recovery-code", Verify)
            .WithSummary("Redeem one of the user's recovery codes for the token's action; each code works once.");
        return app;
    }

    public static async Task<Results<Ok<ClientVerifyResponse>, ErrorResult>> Verify(RecoveryCodeRequest? request, ClientCall call,
        RecoveryCodeService service) =>
        (await service.VerifyAsync(call, request!.VerificationCode!)).ToHttp();
}
