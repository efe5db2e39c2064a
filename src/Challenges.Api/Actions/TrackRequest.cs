using System.Text.Json;
using Challenges.Api.Http;
using Challenges.Api.Tokens;
using FluentValidation;

namespace Challenges.Api.Actions;

/// <summary>POST /v1/users/{userId}/actions/{action}; every field is optional.</summary>
public sealed record TrackRequest(
    string? IdempotencyKey,
    string? RedirectUrl,
    string? IpAddress,
    string? UserAgent,
    string? DeviceId,
    string? Scope,
    string? Email,
    string? PhoneNumber,
    string? Username,
    JsonElement? Custom,
    string? Locale);

public sealed class TrackRequestValidator : AbstractValidator<TrackRequest>
{
    public TrackRequestValidator(IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var development = environment.IsDevelopment();
        RuleFor(r => r.IdempotencyKey).Identifier();
        RuleFor(r => r.RedirectUrl).Must(u => u is null || IsSafeRedirect(u, development))
            .WithMessage("redirectUrl: must be an absolute https URL (http only for a loopback host, or in Development).").Text(2048);
        RuleFor(r => r.IpAddress).Must(ip => ip is null || System.Net.IPAddress.TryParse(ip, out _))
            .WithMessage("ipAddress: must be an IPv4 or IPv6 address.");
        RuleFor(r => r.UserAgent).Text(1024);
        RuleFor(r => r.DeviceId).Text(256);
        RuleFor(r => r.Scope).Must(Scopes.AreKnown)
            .WithMessage($"scope: must be space separated values from {string.Join(", ", Scopes.All)}.");
        RuleFor(r => r.Email).EmailAddress();
        RuleFor(r => r.PhoneNumber).PhoneNumber();
        RuleFor(r => r.Username).Text(256);
        RuleFor(r => r.Locale).Text(35);
        RuleFor(r => r.Custom).JsonObject();
    }

    /// <summary>
    /// Where the hosted page sends the user back with a fresh token: https only, so no <c>javascript:</c>, <c>data:</c>
    /// or <c>file:</c> URL can run or read anything, and no token travels in clear text; plain http for a loopback host
    /// (a developer's machine) or in Development.
    /// </summary>
    public static bool IsSafeRedirect(string url, bool development) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (development || uri.IsLoopback)));
}
