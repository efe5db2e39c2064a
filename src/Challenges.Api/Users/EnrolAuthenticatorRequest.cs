using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>POST /v1/users/{userId}/authenticators: an authenticator the backend has already verified.</summary>
public sealed record EnrolAuthenticatorRequest(string? VerificationMethod, string? PhoneNumber, string? Email, bool? IsDefault);

public sealed class EnrolAuthenticatorRequestValidator : AbstractValidator<EnrolAuthenticatorRequest>
{
    public EnrolAuthenticatorRequestValidator()
    {
        RuleFor(r => r.VerificationMethod).NotEmpty().WithMessage("verificationMethod: is required.")
            .OneOf(VerificationMethods.Enrollable);
        RuleFor(r => r.PhoneNumber).NotEmpty().WithMessage("phoneNumber: is required for SMS and WHATSAPP.")
            .When(r => r.VerificationMethod is VerificationMethods.Sms or VerificationMethods.WhatsApp);
        RuleFor(r => r.PhoneNumber).PhoneNumber();
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required for EMAIL_OTP.")
            .When(r => r.VerificationMethod is VerificationMethods.EmailOtp);
        RuleFor(r => r.Email).EmailAddress();
    }
}
