using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;

namespace Challenges.Api.Otp;

internal static class OtpRules
{
    public static readonly string[] Methods = [VerificationMethods.Sms, VerificationMethods.WhatsApp, VerificationMethods.EmailOtp];

    /// <summary>Digits only, bounded; a code of the wrong length is a wrong code (it counts an attempt), not a 400.</summary>
    public static IRuleBuilderOptions<T, string?> Code<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("verificationCode: is required.")
            .Must(c => c is null || (c.Length <= 12 && c.All(char.IsAsciiDigit)))
            .WithMessage("verificationCode: must be the digits of the code.");
}

public sealed class InitiateChallengeRequestValidator : AbstractValidator<InitiateChallengeRequest>
{
    public InitiateChallengeRequestValidator()
    {
        RuleFor(r => r.VerificationMethod).NotEmpty().WithMessage("verificationMethod: is required.").OneOf(OtpRules.Methods);
        RuleFor(r => r.Action).NotEmpty().WithMessage("action: is required.").Identifier();
        RuleFor(r => r.IdempotencyKey).Identifier();
        RuleFor(r => r.UserId).Identifier();
        RuleFor(r => r.PhoneNumber).NotEmpty().WithMessage("phoneNumber: is required for SMS and WHATSAPP.")
            .When(r => r.VerificationMethod is VerificationMethods.Sms or VerificationMethods.WhatsApp);
        RuleFor(r => r.PhoneNumber).PhoneNumber();
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required for EMAIL_OTP.")
            .When(r => r.VerificationMethod is VerificationMethods.EmailOtp);
        RuleFor(r => r.Email).EmailAddress();
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
        RuleFor(r => r.Scope).Must(Scopes.AreKnown)
            .WithMessage($"scope: must be space separated values from {string.Join(", ", Scopes.All)}.");
        RuleFor(r => r.Locale).Text(35);
        RuleFor(r => r.IpAddress).Must(ip => ip is null || System.Net.IPAddress.TryParse(ip, out _))
            .WithMessage("ipAddress: must be an IPv4 or IPv6 address.");
        RuleFor(r => r.UserAgent).Text(1024);
        RuleFor(r => r.DeviceId).Text(256);
        RuleFor(r => r.Custom).JsonObject();
    }
}

public sealed class VerifyChallengeRequestValidator : AbstractValidator<VerifyChallengeRequest>
{
    public VerifyChallengeRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.VerificationCode).Code();
    }
}

public sealed class ClaimChallengeRequestValidator : AbstractValidator<ClaimChallengeRequest>
{
    public ClaimChallengeRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.UserId).NotEmpty().WithMessage("userId: is required.").Identifier();
    }
}

public sealed class ChallengeQueryValidator : AbstractValidator<ChallengeQuery>
{
    public ChallengeQueryValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required unless userId is given.")
            .When(r => string.IsNullOrEmpty(r.UserId));
        RuleFor(r => r.ChallengeId).Identifier();
        RuleFor(r => r.UserId).Identifier();
        RuleFor(r => r.Action).Identifier();
        RuleFor(r => r.VerificationMethod).OneOf(OtpRules.Methods);
    }
}

public sealed class EnrolSmsRequestValidator : AbstractValidator<EnrolSmsRequest>
{
    public EnrolSmsRequestValidator()
    {
        RuleFor(r => r.PhoneNumber).NotEmpty().WithMessage("phoneNumber: is required.").PhoneNumber();
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
    }
}

public sealed class EnrolEmailRequestValidator : AbstractValidator<EnrolEmailRequest>
{
    public EnrolEmailRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required.").EmailAddress();
    }
}

public sealed class StartSmsRequestValidator : AbstractValidator<StartSmsRequest>
{
    public StartSmsRequestValidator()
    {
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
    }
}

public sealed class ClientVerifyRequestValidator : AbstractValidator<ClientVerifyRequest>
{
    public ClientVerifyRequestValidator()
    {
        RuleFor(r => r.VerificationCode).Code();
    }
}

public sealed class ClientChallengeRequestValidator : AbstractValidator<ClientChallengeRequest>
{
    public ClientChallengeRequestValidator()
    {
        RuleFor(r => r.Action).Identifier();
    }
}
