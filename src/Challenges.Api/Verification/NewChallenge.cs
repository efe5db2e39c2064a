namespace Challenges.Api.Verification;

/// <summary>A challenge a method has delivered, to be stored with its action.</summary>
/// <param name="ChallengeId">Its id, made by <see cref="ClientCall.NewChallengeId"/>: the action points at it.</param>
/// <param name="Write">What the method stores for it, on keys of the user's slot.</param>
/// <param name="Result">The method's answer to the call.</param>
/// <param name="Alongside">Writes on other slots, issued together with the commit (e.g. each device's pointer).</param>
/// <param name="Stored">Runs once the challenge is stored (prompts, counts, logs).</param>
public sealed record NewChallenge<TResult>(string ChallengeId, Storage.StoreWrite Write, TResult Result, Func<Task>? Alongside = null,
    Action? Stored = null);
