namespace Challenges.Api.Actions;

/// <summary>What a challenge came to, as its verification method judged it.</summary>
public enum ChallengeResult
{
    /// <summary>Nothing decided yet (a wrong code with attempts left, a push not answered): the action stays as it is.</summary>
    Undecided,
    Succeeded,
    /// <summary>The challenge failed for good (too many wrong codes, a rejected push): the action fails.</summary>
    Failed,
}
