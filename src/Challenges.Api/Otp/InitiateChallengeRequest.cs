using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;
using FluentValidation;

namespace Challenges.Api.Otp;

/// <summary>POST /v1/challenge: start a passwordless OTP challenge.</summary>
public sealed record InitiateChallengeRequest(
    string? VerificationMethod,
    string? Action,
    string? IdempotencyKey,
    string? UserId,
    string? Email,
    string? PhoneNumber,
    string? SmsChannel,
    string? Scope,
    string? Locale,
    string? IpAddress,
    string? UserAgent,
    string? DeviceId,
    JsonElement? Custom) : IDestinationRequest;

public sealed class InitiateChallengeRequestValidator : AbstractValidator<InitiateChallengeRequest>
{
    public InitiateChallengeRequestValidator()
    {
        RuleFor(r => r.VerificationMethod).NotEmpty().WithMessage("verificationMethod: is required.").OneOf(OtpRules.Methods);
        RuleFor(r => r.Action).NotEmpty().WithMessage("action: is required.").Identifier();
        RuleFor(r => r.IdempotencyKey).Identifier();
        RuleFor(r => r.UserId).Identifier();
        Include(DestinationRules.Instance);
        RuleFor(r => r.SmsChannel).OneOf(SmsChannels.All);
        RuleFor(r => r.Scope).Must(Scopes.AreKnown)
            .WithMessage($"scope: must be space separated values from {string.Join(", ", Scopes.All)}.");
        RuleFor(r => r.Locale).Text(35);
        RuleFor(r => r.IpAddress).Must(ip => ip is null || System.Net.IPAddress.TryParse(ip, out _))
            .WithMessage("ipAddress: must be an IPv4 or IPv6 address.");
        RuleFor(r => r.UserAgent).Text(1024);
        RuleFor(r => r.DeviceId).Text(256);
        RuleFor(r => r.Custom).JsonObject();
    }
}
