namespace Challenges.Api.Push;

/// <summary>Which challenge one of the user's push devices shows (the user's board, read at a start).</summary>
public sealed record Shown(string AuthenticatorId, string ChallengeId);
