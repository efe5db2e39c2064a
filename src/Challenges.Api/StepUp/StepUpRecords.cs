using Challenges.Api.Storage;

namespace Challenges.Api.StepUp;

/// <summary>
/// An idempotency reference as stored in the user's slot: the payload's fingerprint and the id of the challenge it
/// started. Only requests that start a challenge store one.
/// </summary>
public sealed record StepUpRefRecord(string Fingerprint, DateTimeOffset CreatedAt, bool Done, string? Id);

/// <summary>The user's step-up in flight, in the user's slot.</summary>
public sealed record StepUpInFlightRecord(string ChallengeId, DateTimeOffset ExpiresAt);

/// <summary>A user's step-up records as read together: the step-up in flight and the request's reference.</summary>
public sealed record StepUpRecords(Stored<StepUpInFlightRecord?> InFlight, Stored<StepUpRefRecord?>? Reference);
