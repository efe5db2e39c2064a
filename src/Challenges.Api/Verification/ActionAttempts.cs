using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.Storage;

namespace Challenges.Api.Verification;

/// <summary>The wrong proofs sent for one action with one method.</summary>
public sealed record Attempts(int Count);

/// <summary>
/// Wrong proofs per action, for the methods whose proof is checked against something that outlives the action (an
/// authenticator app's secret, a recovery code) rather than against a challenge of its own that counts them: kept beside
/// the action (<c>u:{t:u}:a:{code}:{key}:attempts:{method}</c>), so a verify writes it in the action's atomic commit.
/// The OTP attempt limit applies (<c>Limits__OtpMaxAttempts</c>): the attempt that reaches it fails the action.
/// </summary>
public sealed class ActionAttempts(IStateStore store)
{
    private static string KeyOf(ActionRef action, string method) => $"{ActionStore.KeyOf(action)}:attempts:{method}";

    /// <summary>The call's attempts with <paramref name="method"/>, read together with the method's own read (one round trip).</summary>
    public async Task<(Stored<Attempts>? Attempts, T Own)> ReadWithAsync<T>(ClientCall call, string method, Task<T> own)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(own);
        var attempts = store.ReadAsync<Attempts>(KeyOf(call.Action, method));
        await Task.WhenAll(attempts, own);
        return (attempts.Result, own.Result);
    }

    /// <summary>One more wrong proof, over what was read: a part of the verify's atomic write, kept as long as the action.</summary>
    private static StoreWrite CountWrite(ActionRef action, string method, Stored<Attempts>? read, TimeSpan retention) =>
        new([StateChange.Over(KeyOf(action, method), read?.Raw, StoreJson.Write(new Attempts((read?.Value.Count ?? 0) + 1)), retention)]);

    /// <summary>
    /// What a verify with such a proof answers before the proof is looked at: the method is enabled; the action exists;
    /// its attempts are spent (<paramref name="exhausted"/>, the failure reason, changing nothing); the action may still
    /// be challenged. Null when the proof is to be judged.
    /// </summary>
    public static Outcome<Judgement>? Before(ChallengeContext context, string method, Stored<Attempts>? read, string exhausted)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Tenant.Allows(method))
        {
            return ApiError.Invalid($"verificationMethod: {method} is not enabled for this tenant.");
        }
        if (context.Action is not { Value: var action })
        {
            return ApiError.NotFound("The token's action no longer exists.");
        }
        if ((read?.Value.Count ?? 0) >= context.Tenant.Limits.OtpMaxAttempts)
        {
            return new Judgement(ChallengeResult.Undecided, StoreWrite.None, FailureReason: exhausted);
        }
        if (EnrolmentPolicy.CheckAction(context.Tenant, method, action) is { } refused)
        {
            return refused;
        }
        return null;
    }

    /// <summary>A wrong proof: one more attempt (<paramref name="wrong"/>); the one that reaches the limit fails the action (<paramref name="exhausted"/>).</summary>
    public static Judgement Wrong(ChallengeContext context, string method, Stored<Attempts>? read, string wrong, string exhausted)
    {
        ArgumentNullException.ThrowIfNull(context);
        var move = CountWrite(context.Call.Action, method, read, context.Tenant.Limits.ActionRetention);
        return (read?.Value.Count ?? 0) + 1 >= context.Tenant.Limits.OtpMaxAttempts
            ? new Judgement(ChallengeResult.Failed, move, "max_attempts", FailureReason: exhausted)
            : new Judgement(ChallengeResult.Undecided, move, FailureReason: wrong);
    }
}
