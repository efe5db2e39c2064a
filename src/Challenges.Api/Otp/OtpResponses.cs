using Challenges.Api.Users;

namespace Challenges.Api.Otp;

/// <summary>POST /v1/challenge answer; <c>expiresAt</c> in Unix seconds.</summary>
public sealed record InitiateChallengeResponse(string ChallengeId, string IdempotencyKey, long ExpiresAt);

/// <summary>POST /v1/verify answer; email and phone number only on success.</summary>
public sealed record VerifyChallengeResponse(bool IsVerified, string? VerificationMethod, string? Email, string? PhoneNumber, string? FailureReason);

/// <summary>POST /v1/claim answer.</summary>
public sealed record ClaimChallengeResponse(string Token, string VerificationMethod);

/// <summary>GET/POST /v1/challenges answer: the pending challenge found, or <c>{}</c>.</summary>
public sealed record ChallengeLookupResponse(
    string? ChallengeId,
    long? ExpiresAt,
    string? VerificationMethod,
    string? SmsChannel,
    string? PhoneNumber,
    string? Email,
    string? Action)
{
    public static ChallengeLookupResponse From(OtpChallengeRecord? c) => c is null
        ? new(null, null, null, null, null, null, null)
        : new(c.Id, c.ExpiresAt.ToUnixTimeSeconds(), c.VerificationMethod, c.SmsChannel, c.PhoneNumber, c.Email,
            string.IsNullOrEmpty(c.ActionCode) ? null : c.ActionCode);
}

/// <summary>Client enrolment answer.</summary>
public sealed record EnrolOtpResponse(string UserAuthenticatorId, string UserId);

/// <summary>Client start-challenge answer.</summary>
public sealed record ClientChallengeResponse(string ChallengeId);

/// <summary>VerifyResponse of docs/contract.md §3.1.</summary>
public sealed record ClientVerifyResponse(bool IsVerified, string? AccessToken, string? FailureReason, AuthenticatorResponse? UserAuthenticator)
{
    /// <summary>
    /// The answer to a verify judged by the <see cref="Verification.VerificationFlow"/>: on success the follow-up token, and
    /// the answering authenticator when <paramref name="enrolment"/> (the verify completed <paramref name="userId"/>'s enrolment).
    /// </summary>
    public static ClientVerifyResponse Of(Verification.Judgement judgement, Actions.Completed completed, bool enrolment, string userId)
    {
        ArgumentNullException.ThrowIfNull(judgement);
        ArgumentNullException.ThrowIfNull(completed);
        return judgement.Result == Actions.ChallengeResult.Succeeded
            ? new ClientVerifyResponse(true, completed.AccessToken, null,
                enrolment && completed.Authenticator is { } a ? AuthenticatorResponse.From(userId, a) : null)
            : new ClientVerifyResponse(false, null, judgement.FailureReason, null);
    }
}
