using System.Text.Json;
using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Users;

/// <summary>PATCH /v1/users/{userId}: absent fields stay as they are; an empty string clears a field.</summary>
public sealed record UpdateUserRequest(string? Email, string? PhoneNumber, string? Username, string? DisplayName, JsonElement? Custom);

public sealed class UpdateUserRequestValidator : AbstractValidator<UpdateUserRequest>
{
    public UpdateUserRequestValidator()
    {
        RuleFor(r => r.Email).EmailAddress().When(r => r.Email != "");
        RuleFor(r => r.PhoneNumber).PhoneNumber().When(r => r.PhoneNumber != "");
        RuleFor(r => r.Username).Text(256);
        RuleFor(r => r.DisplayName).Text(256);
        RuleFor(r => r.Custom).JsonObject();
    }
}
