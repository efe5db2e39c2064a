using Challenges.Api.Http;

namespace Challenges.Api.StepUp;

/// <summary>
/// What a step-up start answered, in a form that can be kept for idempotent replay: 200 with the id, 409 with an
/// error code, or a contract error (<see cref="Error"/>, written as <c>{ code, message }</c>) that is never kept.
/// </summary>
public sealed record StepUpReply(string? Id = null, string? ErrorCode = null, ApiError? Error = null)
{
    public static StepUpReply Started(string id) => new(Id: id);

    public static StepUpReply Conflict(string errorCode) => new(ErrorCode: errorCode);

    public static StepUpReply Failed(ApiError error) => new(Error: error);

    /// <summary>Only definite answers are replayed; a limit or an outage is worth trying again.</summary>
    public bool IsKept => Error is null;
}

/// <summary>An idempotency reference as stored in the user's slot: the payload's fingerprint and, once known, the reply.</summary>
public sealed record StepUpRefRecord(string Fingerprint, DateTimeOffset CreatedAt, bool Done, string? Id, string? ErrorCode);

/// <summary>The user's step-up in flight, in the user's slot.</summary>
public sealed record StepUpInFlightRecord(string ChallengeId, DateTimeOffset ExpiresAt);
