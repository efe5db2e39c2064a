using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>POST /v1/claim.</summary>
public sealed record ClaimChallengeRequest(string? ChallengeId, string? UserId, bool? SkipVerificationCheck);

public sealed class ClaimChallengeRequestValidator : AbstractValidator<ClaimChallengeRequest>
{
    public ClaimChallengeRequestValidator()
    {
        RuleFor(r => r.ChallengeId).NotEmpty().WithMessage("challengeId: is required.").Identifier();
        RuleFor(r => r.UserId).NotEmpty().WithMessage("userId: is required.").Identifier();
    }
}
