using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Actions;

public sealed class UpdateActionRequestValidator : AbstractValidator<UpdateActionRequest>
{
    public UpdateActionRequestValidator()
    {
        RuleFor(r => r.State).NotEmpty().WithMessage("state: is required.").OneOf(ActionStates.All);
    }
}

public sealed class ValidateRequestValidator : AbstractValidator<ValidateRequest>
{
    public ValidateRequestValidator()
    {
        RuleFor(r => r.Token).NotEmpty().WithMessage("token: is required.").Text(8192);
        RuleFor(r => r.UserId).Identifier();
        RuleFor(r => r.Action).Identifier();
    }
}
