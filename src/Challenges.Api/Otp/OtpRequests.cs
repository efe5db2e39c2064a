using System.Text.Json;

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
    JsonElement? Custom);

/// <summary>POST /v1/verify.</summary>
public sealed record VerifyChallengeRequest(string? ChallengeId, string? VerificationCode);

/// <summary>POST /v1/claim.</summary>
public sealed record ClaimChallengeRequest(string? ChallengeId, string? UserId, bool? SkipVerificationCheck);

/// <summary>GET (query) or POST (query or body) /v1/challenges.</summary>
public sealed record ChallengeQuery(string? ChallengeId, string? UserId, string? Action, string? VerificationMethod)
{
    /// <summary>Fields of <paramref name="body"/> win over the query string's.</summary>
    public ChallengeQuery Merge(ChallengeQuery? body) => body is null
        ? this
        : new(body.ChallengeId ?? ChallengeId, body.UserId ?? UserId, body.Action ?? Action, body.VerificationMethod ?? VerificationMethod);
}

/// <summary>POST /v1/client/user-authenticators/sms.</summary>
public sealed record EnrolSmsRequest(string? PhoneNumber, string? SmsChannel);

/// <summary>POST /v1/client/user-authenticators/email-otp.</summary>
public sealed record EnrolEmailRequest(string? Email);

/// <summary>POST /v1/client/challenge/sms (the body is optional).</summary>
public sealed record StartSmsRequest(string? SmsChannel);

/// <summary>POST /v1/client/verify/sms | whatsapp | email-otp.</summary>
public sealed record ClientVerifyRequest(string? VerificationCode);

/// <summary>POST /v1/client/challenge (the body is optional).</summary>
public sealed record ClientChallengeRequest(string? Action);
