using Challenges.Api.Http;

namespace Challenges.Api.StepUp;

/// <summary>
/// What a step-up start answered: 200 with the id, 409 with an error code, or a contract error (<see cref="Error"/>,
/// written as <c>{ code, message }</c>). Only a started challenge is kept for idempotent replay.
/// </summary>
public sealed record StepUpReply(string? Id = null, string? ErrorCode = null, ApiError? Error = null)
{
    public static StepUpReply Started(string id) => new(Id: id);

    public static StepUpReply Conflict(string errorCode) => new(ErrorCode: errorCode);

    public static StepUpReply Failed(ApiError error) => new(Error: error);
}

/// <summary>
/// An idempotency reference as stored in the user's slot: the payload's fingerprint and, once the challenge is
/// started, its id. Only requests that start a challenge store one.
/// </summary>
public sealed record StepUpRefRecord(string Fingerprint, DateTimeOffset CreatedAt, bool Done, string? Id);

/// <summary>The user's step-up in flight, in the user's slot.</summary>
public sealed record StepUpInFlightRecord(string ChallengeId, DateTimeOffset ExpiresAt);
