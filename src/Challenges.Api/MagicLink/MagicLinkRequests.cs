using Challenges.Api.Http;
using Challenges.Api.Users;
using FluentValidation;

namespace Challenges.Api.MagicLink;

/// <summary>POST /v1/client/user-authenticators/email-magic-link.</summary>
public sealed record EnrolMagicLinkRequest(string? Email);

public sealed class EnrolMagicLinkRequestValidator : AbstractValidator<EnrolMagicLinkRequest>
{
    public EnrolMagicLinkRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required.").EmailAddress();
    }
}

/// <summary>POST /v1/client/verify/email-magic-link/finalize: the browser SDK sends <c>{}</c>; the id is optional.</summary>
public sealed record FinalizeMagicLinkRequest(string? ChallengeId);

public sealed class FinalizeMagicLinkRequestValidator : AbstractValidator<FinalizeMagicLinkRequest>
{
    public FinalizeMagicLinkRequestValidator()
    {
        RuleFor(r => r.ChallengeId).Identifier();
    }
}

/// <summary>Enrolment answer: the new (unverified) authenticator and the challenge its first link belongs to.</summary>
public sealed record EnrolMagicLinkResponse(string UserAuthenticatorId, string UserId, string ChallengeId);

/// <summary>Challenge answer.</summary>
public sealed record MagicLinkChallengeResponse(string ChallengeId);

/// <summary>Finalize answer: the VerifyResponse of docs/contract.md §3.1.</summary>
public sealed record MagicLinkVerifyResponse(bool IsVerified, string? AccessToken, string? FailureReason, AuthenticatorResponse? UserAuthenticator);
