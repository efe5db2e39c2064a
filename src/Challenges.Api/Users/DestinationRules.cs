using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>A phone number for SMS and WhatsApp, an email address for email OTP, each well formed: one rule set for every such request.</summary>
public sealed class DestinationRules : AbstractValidator<IDestinationRequest>
{
    public static DestinationRules Instance { get; } = new();

    public DestinationRules()
    {
        RuleFor(r => r.PhoneNumber).NotEmpty().WithMessage("phoneNumber: is required for SMS and WHATSAPP.")
            .When(r => r.VerificationMethod is VerificationMethods.Sms or VerificationMethods.WhatsApp);
        RuleFor(r => r.PhoneNumber).PhoneNumber();
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required for EMAIL_OTP.")
            .When(r => r.VerificationMethod is VerificationMethods.EmailOtp);
        RuleFor(r => r.Email).EmailAddress();
    }
}
