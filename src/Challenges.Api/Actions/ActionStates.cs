namespace Challenges.Api.Actions;

/// <summary>Action states (docs/contract.md §1.4).</summary>
public static class ActionStates
{
    public const string Allow = "ALLOW";
    public const string Block = "BLOCK";
    public const string ChallengeRequired = "CHALLENGE_REQUIRED";
    public const string ChallengeSucceeded = "CHALLENGE_SUCCEEDED";
    public const string ChallengeFailed = "CHALLENGE_FAILED";
    public const string ReviewRequired = "REVIEW_REQUIRED";
    public const string ReviewSucceeded = "REVIEW_SUCCEEDED";
    public const string ReviewFailed = "REVIEW_FAILED";

    public static readonly string[] All =
        [Allow, Block, ChallengeRequired, ChallengeSucceeded, ChallengeFailed, ReviewRequired, ReviewSucceeded, ReviewFailed];

    /// <summary>States in which an action still waits for a challenge to be answered.</summary>
    public static bool AwaitsChallenge(string state) => state is ChallengeRequired or Allow;

    /// <summary>
    /// States whose token may still start an OTP challenge or enrol an authenticator: those that await a challenge,
    /// and a succeeded one (a user who has just passed a challenge may add another factor).
    /// </summary>
    public static bool AcceptsChallenge(string state) => AwaitsChallenge(state) || state == ChallengeSucceeded;

    /// <summary>States in which the backend or a challenge has refused the user, or a review still holds them back.</summary>
    public static bool Refuses(string state) => state is Block or ChallengeFailed or ReviewRequired or ReviewFailed;
}
