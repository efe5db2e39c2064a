namespace Challenges.Api.Actions;

/// <summary>Action states (CONTRACT.md 1.4).</summary>
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
}
