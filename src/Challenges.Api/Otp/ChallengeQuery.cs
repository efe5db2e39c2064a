using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>GET (query) or POST (query or body) /v1/challenges.</summary>
public sealed record ChallengeQuery(string? ChallengeId, string? UserId, string? Action, string? VerificationMethod)
{
    /// <summary>Fields of <paramref name="body"/> win over the query string's.</summary>
    public ChallengeQuery Merge(ChallengeQuery? body) => body is null
        ? this
        : new(body.ChallengeId ?? ChallengeId, body.UserId ?? UserId, body.Action ?? Action, body.VerificationMethod ?? VerificationMethod);
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
