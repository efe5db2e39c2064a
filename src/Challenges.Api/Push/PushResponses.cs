using System.Text.Json;

namespace Challenges.Api.Push;

/// <summary>
/// Row 1 answer; <c>expiresAt</c>: when the credential expires unless it is used or renewed; <c>lastVerifiedAt</c>
/// (read by Android) when the same key is registered again after use.
/// </summary>
public sealed record AddPushCredentialResponse(string UserAuthenticatorId, string UserId, DateTimeOffset VerifiedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastVerifiedAt = null);

/// <summary>Row 2 answer.</summary>
public sealed record PushCredentialResponse(string UserAuthenticatorId, string UserId, DateTimeOffset? VerifiedAt, DateTimeOffset? LastVerifiedAt,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// Start push answer; <c>verificationCode</c> only with number matching; <c>deliveryResults</c>: one per targeted
/// authenticator, with an <c>errorCode</c> where its send failed.
/// </summary>
public sealed record StartPushResponse(string ChallengeId, string? VerificationCode, IReadOnlyList<DeliveryResult>? DeliveryResults = null);

/// <summary>Push poll answer: pending {false,false}; rejected or expired {false,true}; approved {true,true}, with the token once.</summary>
public sealed record VerifyPushResponse(bool IsVerified, bool IsConsumed, string? AccessToken);

/// <summary>Row 3 answer: a fresh single-use nonce to sign.</summary>
public sealed record DeviceMessageResponse(string Message);

/// <summary>
/// Row 4 answer: always the authenticator; the challenge's fields only when one is pending. <c>verificationCodeRequired</c>
/// (ours; true or absent): number matching is on, so an approval must carry the number the web page shows.
/// </summary>
public sealed record PendingChallengeResponse(
    string UserAuthenticatorId,
    string? ChallengeId = null,
    string? UserId = null,
    string? ActionCode = null,
    string? IdempotencyKey = null,
    string? DeviceId = null,
    string? UserAgent = null,
    string? IpAddress = null,
    long? ExpiresAt = null,
    JsonElement? Custom = null,
    bool? VerificationCodeRequired = null,
    ChallengeUser? User = null);

/// <summary>Row 4's <c>user</c>: the user's custom data the tenant marks public (signed requests only).</summary>
public sealed record ChallengeUser(JsonElement? Custom);

/// <summary>Row 5 answer: true when the answer approved the challenge.</summary>
public sealed record AnswerPushResponse(bool IsVerified);

/// <summary>Row 6 answer.</summary>
public sealed record RemovePushCredentialResponse(string RemovedAuthenticatorId);

/// <summary>Row 7 answer: a single-use message to sign, named by <c>challengeId</c>.</summary>
public sealed record SignMessageResponse(string ChallengeId, string Message);

/// <summary>Row 8 answer.</summary>
public sealed record UpdatePushCredentialResponse(string UserAuthenticatorId, string UserId, DateTimeOffset LastVerifiedAt, string? PushToken,
    DateTimeOffset? ExpiresAt);
