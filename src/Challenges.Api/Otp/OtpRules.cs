using Challenges.Api.Http;
using Challenges.Api.Tenants;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>Field rules shared by the OTP requests.</summary>
internal static class OtpRules
{
    public static readonly string[] Methods = [VerificationMethods.Sms, VerificationMethods.WhatsApp, VerificationMethods.EmailOtp];

    /// <summary>Digits only, bounded; a code of the wrong length is a wrong code (it counts an attempt), not a 400.</summary>
    public static IRuleBuilderOptions<T, string?> Code<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().WithMessage("verificationCode: is required.")
            .Must(c => c is null || (c.Length <= 12 && c.All(char.IsAsciiDigit)))
            .WithMessage("verificationCode: must be the digits of the code.");
}
