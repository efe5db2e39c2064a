using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>POST /v1/users/{userId}/authenticators: an authenticator the backend has already verified.</summary>
/// <param name="VerificationMethod">SMS, WHATSAPP, EMAIL_OTP, AUTHENTICATOR_APP or PASSKEY.</param>
/// <param name="PhoneNumber">SMS and WHATSAPP: E.164.</param>
/// <param name="Email">EMAIL_OTP.</param>
/// <param name="IsDefault">Makes it the user's default authenticator.</param>
/// <param name="OtpUri">AUTHENTICATOR_APP: the app's <c>otpauth://totp/</c> URI, with its secret.</param>
/// <param name="CredentialId">PASSKEY: the credential id, base64url (either alphabet, padding optional).</param>
/// <param name="CredentialPublicKey">PASSKEY: the COSE public key, base64url (ES256, RS256 or EdDSA).</param>
/// <param name="Counter">PASSKEY: the signature counter last seen by the other provider (0 when absent).</param>
/// <param name="Name">PASSKEY: the name the user knows it by.</param>
/// <param name="Transports">PASSKEY: its transports (<c>internal</c>, <c>hybrid</c>, <c>usb</c>, …).</param>
/// <param name="Aaguid">PASSKEY: the authenticator model's AAGUID.</param>
public sealed record EnrolAuthenticatorRequest(string? VerificationMethod, string? PhoneNumber, string? Email, bool? IsDefault, string? OtpUri = null,
    string? CredentialId = null, string? CredentialPublicKey = null, long? Counter = null, string? Name = null,
    IReadOnlyList<string>? Transports = null, string? Aaguid = null)
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
        RuleFor(r => r.CredentialId).NotEmpty().WithMessage("credentialId: is required for PASSKEY.")
            .When(r => r.VerificationMethod is VerificationMethods.Passkey);
        RuleFor(r => r.CredentialPublicKey).NotEmpty().WithMessage("credentialPublicKey: is required for PASSKEY.")
            .When(r => r.VerificationMethod is VerificationMethods.Passkey);
        RuleFor(r => r.Counter).InclusiveBetween(0, uint.MaxValue).WithMessage($"counter: must be 0 to {uint.MaxValue}.");
    }
}
