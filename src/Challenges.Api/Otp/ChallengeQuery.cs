using Challenges.Api.Http;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Challenges.Api.Otp;

/// <summary>GET /v1/challenges (the query string), and the JSON body of POST /v1/challenges.</summary>
public sealed record ChallengeQuery(
    [FromQuery(Name = "challengeId")] string? ChallengeId,
    [FromQuery(Name = "userId")] string? UserId,
    [FromQuery(Name = "action")] string? Action,
    [FromQuery(Name = "verificationMethod")] string? VerificationMethod)
{
    /// <summary>Fields of <paramref name="body"/> win over the query string's.</summary>
    public ChallengeQuery Merge(ChallengeQuery? body) => body is null
        ? this
        : new(body.ChallengeId ?? ChallengeId, body.UserId ?? UserId, body.Action ?? Action, body.VerificationMethod ?? VerificationMethod);
}

/// <summary>POST /v1/challenges: the query string and the optional JSON body, judged together.</summary>
public sealed record ChallengeLookup(
    [FromQuery(Name = "challengeId")] string? ChallengeId,
    [FromQuery(Name = "userId")] string? UserId,
    [FromQuery(Name = "action")] string? Action,
    [FromQuery(Name = "verificationMethod")] string? VerificationMethod,
    [FromBody] ChallengeQuery? Body)
{
    /// <summary>The query string with the body's fields over it.</summary>
    public ChallengeQuery Query => new ChallengeQuery(ChallengeId, UserId, Action, VerificationMethod).Merge(Body);
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

public sealed class ChallengeLookupValidator : AbstractValidator<ChallengeLookup>
{
    public ChallengeLookupValidator(IValidator<ChallengeQuery> query) => RuleFor(l => l.Query).SetValidator(query);
}
