using Challenges.Api.Http;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>POST /v1/client/user-authenticators/sms.</summary>
public sealed record EnrolSmsRequest(string? PhoneNumber, string? SmsChannel);

public sealed class EnrolSmsRequestValidator : AbstractValidator<EnrolSmsRequest>
{
    public EnrolSmsRequestValidator()
    {
        RuleFor(r => r.PhoneNumber).NotEmpty().WithMessage("phoneNumber: is required.").PhoneNumber();
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
    }
}

/// <summary>POST /v1/client/user-authenticators/email-otp.</summary>
public sealed record EnrolEmailRequest(string? Email);

public sealed class EnrolEmailRequestValidator : AbstractValidator<EnrolEmailRequest>
{
    public EnrolEmailRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().WithMessage("email: is required.").EmailAddress();
    }
}

/// <summary>POST /v1/client/challenge/sms (the body is optional).</summary>
public sealed record StartSmsRequest(string? SmsChannel);

public sealed class StartSmsRequestValidator : AbstractValidator<StartSmsRequest>
{
    public StartSmsRequestValidator()
    {
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
    }
}

/// <summary>POST /v1/client/verify/sms | whatsapp | email-otp.</summary>
public sealed record ClientVerifyRequest(string? VerificationCode);

public sealed class ClientVerifyRequestValidator : AbstractValidator<ClientVerifyRequest>
{
    public ClientVerifyRequestValidator()
    {
        RuleFor(r => r.VerificationCode).Code();
    }
}

/// <summary>POST /v1/client/challenge (the body is optional).</summary>
public sealed record ClientChallengeRequest(string? Action);

public sealed class ClientChallengeRequestValidator : AbstractValidator<ClientChallengeRequest>
{
    public ClientChallengeRequestValidator()
    {
        RuleFor(r => r.Action).Identifier();
    }
}
