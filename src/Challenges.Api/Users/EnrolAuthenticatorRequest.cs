using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>POST /v1/users/{userId}/authenticators: an authenticator the backend has already verified.</summary>
public sealed record EnrolAuthenticatorRequest(string? VerificationMethod, string? PhoneNumber, string? Email, bool? IsDefault)
    : IDestinationRequest;

public sealed class EnrolAuthenticatorRequestValidator : AbstractValidator<EnrolAuthenticatorRequest>
{
    public EnrolAuthenticatorRequestValidator()
    {
        RuleFor(r => r.VerificationMethod).NotEmpty().WithMessage("verificationMethod: is required.")
            .OneOf(VerificationMethods.Enrollable);
        Include(DestinationRules.Instance);
    }
}
