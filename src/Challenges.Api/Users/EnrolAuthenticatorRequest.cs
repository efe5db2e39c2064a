using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>POST /v1/users/{userId}/authenticators: an authenticator the backend has already verified.</summary>
/// <param name="VerificationMethod">SMS, WHATSAPP, EMAIL_OTP or AUTHENTICATOR_APP.</param>
/// <param name="PhoneNumber">SMS and WHATSAPP: E.164.</param>
/// <param name="Email">EMAIL_OTP.</param>
/// <param name="IsDefault">Makes it the user's default authenticator.</param>
/// <param name="OtpUri">AUTHENTICATOR_APP: the app's <c>otpauth://totp/</c> URI, with its secret.</param>
public sealed record EnrolAuthenticatorRequest(string? VerificationMethod, string? PhoneNumber, string? Email, bool? IsDefault, string? OtpUri = null)
    : IDestinationRequest;

public sealed class EnrolAuthenticatorRequestValidator : AbstractValidator<EnrolAuthenticatorRequest>
{
    public EnrolAuthenticatorRequestValidator()
    {
        RuleFor(r => r.VerificationMethod).NotEmpty().WithMessage("verificationMethod: is required.")
            .OneOf(VerificationMethods.Enrollable);
        Include(DestinationRules.Instance);
        RuleFor(r => r.OtpUri).NotEmpty().WithMessage("otpUri: is required for AUTHENTICATOR_APP.")
            .When(r => r.VerificationMethod is VerificationMethods.AuthenticatorApp);
        RuleFor(r => r.OtpUri).MaximumLength(2048).WithMessage("otpUri: must be at most 2048 characters.");
    }
}
