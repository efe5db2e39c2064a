using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>POST /v1/verify.</summary>
public sealed record VerifyChallengeRequest(string? ChallengeId, string? VerificationCode);

public sealed class VerifyChallengeRequestValidator : AbstractValidator<VerifyChallengeRequest>
{
    public VerifyChallengeRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.VerificationCode).Code();
    }
}
