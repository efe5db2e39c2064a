using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Sessions;

/// <summary>POST /v1/sessions: <c>action</c>, when given, must be the token's action.</summary>
public sealed record CreateSessionRequest(string? ClientId, string? Token, string? Action);

public sealed class CreateSessionRequestValidator : AbstractValidator<CreateSessionRequest>
{
    public CreateSessionRequestValidator()
    {
        RuleFor(r => r.ClientId).NotEmpty().WithMessage("clientId: is required.").Identifier();
        RuleFor(r => r.Token).NotEmpty().WithMessage("token: is required.").Text(8192);
        RuleFor(r => r.Action).Identifier();
    }
}

/// <summary>POST /v1/sessions/validate: with <c>clientIds</c>, the token must have been issued for one of them.</summary>
public sealed record ValidateSessionRequest(string? AccessToken, IReadOnlyList<string>? ClientIds);

public sealed class ValidateSessionRequestValidator : AbstractValidator<ValidateSessionRequest>
{
    public const int MaxClientIds = 100;

    public ValidateSessionRequestValidator()
    {
        RuleFor(r => r.AccessToken).NotEmpty().WithMessage("accessToken: is required.").Text(AccessTokens.MaxLength);
        RuleFor(r => r.ClientIds).Must(ids => ids is null || (ids.Count <= MaxClientIds && ids.All(Validation.IsIdentifier)))
            .WithMessage($"clientIds: must be at most {MaxClientIds} ids of 1 to {Validation.MaxIdLength} characters with no control characters.");
    }
}

/// <summary>POST /v1/sessions/refresh.</summary>
public sealed record RefreshSessionRequest(string? RefreshToken);

public sealed class RefreshSessionRequestValidator : AbstractValidator<RefreshSessionRequest>
{
    public RefreshSessionRequestValidator()
    {
        RuleFor(r => r.RefreshToken).NotEmpty().WithMessage("refreshToken: is required.").Text(RefreshTokens.MaxLength);
    }
}

/// <summary>POST /v1/sessions/revoke.</summary>
public sealed record RevokeSessionRequest(string? AccessToken);

public sealed class RevokeSessionRequestValidator : AbstractValidator<RevokeSessionRequest>
{
    public RevokeSessionRequestValidator()
    {
        RuleFor(r => r.AccessToken).NotEmpty().WithMessage("accessToken: is required.").Text(AccessTokens.MaxLength);
    }
}

/// <summary>POST /v1/sessions/user/revoke.</summary>
public sealed record RevokeUserSessionsRequest(string? UserId);

public sealed class RevokeUserSessionsRequestValidator : AbstractValidator<RevokeUserSessionsRequest>
{
    public RevokeUserSessionsRequestValidator()
    {
        RuleFor(r => r.UserId).NotEmpty().WithMessage("userId: is required.").Identifier();
    }
}
