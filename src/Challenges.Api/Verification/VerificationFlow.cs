using Challenges.Api.Actions;
using Challenges.Api.Http;
using Challenges.Api.RateLimiting;
using Challenges.Api.Storage;
using Challenges.Api.Users;

namespace Challenges.Api.Verification;

/// <summary>
/// The one path every verification method takes for a client token: enrol (<see cref="IEnrolment{TResult}"/>), start
/// a challenge (<see cref="IChallengeStart{TState, TResult}"/>) and verify what the client sends
/// (<see cref="IProofCheck{TState, TResult}"/>). The flow reads the token's action and user, applies the enrolment and
/// action rules, counts the limits, stores challenges with their action, and hands results to
/// <see cref="ActionCompletion"/>; a method brings only what is its own.
/// </summary>
public sealed class VerificationFlow(ActionStore actions, UserStore users, ActionCompletion completion, RateCounter limits, ConflictRetry retry)
{
    /// <summary>The token's action and user, read together (one slot, one round trip).</summary>
    private async Task<ChallengeContext> ReadAsync(ClientCall call)
    {
        var action = actions.ReadAsync(call.Action);
        var user = users.ReadAsync(call.Tenant.Id, call.Token.UserId);
        await Task.WhenAll(action, user);
        return new ChallengeContext(call, action.Result, user.Result);
    }

    /// <summary>Enrols under the rules of <see cref="EnrolmentPolicy"/>: first the action's (method enabled, action may still be challenged).</summary>
    public async Task<Outcome<TResult>> EnrolAsync<TResult>(ClientCall call, IEnrolment<TResult> enrolment)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(enrolment);
        var context = call.Tenant.Allows(enrolment.Method) ? await ReadAsync(call) : null;
        if (EnrolmentPolicy.CheckAction(call.Tenant, enrolment.Method, context?.Action?.Value) is { } refusal)
        {
            return refusal;
        }
        return await enrolment.EnrolAsync(context!);
    }

    /// <summary>
    /// Starts a challenge: limits and reads in the first round trip, the method's delivery, then the challenge and the
    /// action's pointer to it in one atomic write. A start that does not happen takes its counts back.
    /// </summary>
    public async Task<Outcome<TResult>> StartAsync<TState, TResult>(ClientCall call, IChallengeStart<TState, TResult> start)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(start);
        var counting = limits.CountAsync(call.Tenant, [.. start.Limits(call)]);
        var reading = ReadAsync(call);
        var state = start.ReadAsync(call);
        await Task.WhenAll(counting, reading, state);
        var counted = counting.Result;
        if (counted.Refusal is { } limited)
        {
            return limited;
        }
        var context = reading.Result;
        var started = start.Admit(context) is { } refusal ? refusal : await start.StartAsync(context, state.Result);
        if (started.Failed(out var error, out var challenge))
        {
            await counted.RefundAsync();
            return error;
        }
        var alongside = challenge.Alongside?.Invoke() ?? Task.CompletedTask;
        await retry.RunAsync<bool>("storing a challenge with its action", async attempt =>
        {
            // Admitted, the action existed; one deleted since has nothing to point at the challenge, which nothing could answer.
            var action = attempt == 1 ? context.Action : await actions.ReadAsync(call.Action);
            return action is null ||
                   await actions.CommitAsync(call.Action, action, action.Value with { ChallengeId = challenge.ChallengeId },
                       call.Tenant.Limits.ActionRetention, challenge.Write)
                ? true
                : Attempt.Conflict<bool>();
        });
        await alongside;
        challenge.Stored?.Invoke();
        return challenge.Result;
    }

    /// <summary>
    /// Verifies: limits and reads in the first round trip, the method's judgement, then <see cref="ActionCompletion"/>
    /// commits it (one atomic write); judged again on a conflict.
    /// </summary>
    public async Task<Outcome<TResult>> VerifyAsync<TState, TResult>(ClientCall call, IProofCheck<TState, TResult> check)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(check);
        var counting = limits.CountAsync(call.Tenant, [.. check.Limits(call)]);
        var first = ReadWithAsync(call, check);
        await Task.WhenAll(counting, first);
        if (counting.Result.Refusal is { } limited)
        {
            return limited;
        }
        return await retry.RunAsync<Outcome<TResult>>($"verifying a {check.Method} challenge", async attempt =>
        {
            var (context, state) = attempt == 1 ? first.Result : await ReadWithAsync(call, check);
            if (check.Judge(context, state).Failed(out var refusal, out var judgement))
            {
                return Done(refusal);
            }
            if (judgement.ChangesNothing || context.Action is null)
            {
                return Done(check.Answer(judgement, new Completed(context.Action?.Value)));
            }
            var completed = await completion.CommitAsync(call.Tenant, call.Action, context.Action, check.Method, judgement.Result,
                judgement.Move, judgement.EndedAs, context.User, judgement.AuthenticatorId, judgement.Authenticator);
            if (completed?.Action is not { } action)
            {
                return Attempt.Conflict<Outcome<TResult>>();
            }
            var token = judgement.Result != ChallengeResult.Succeeded ? null : judgement.Token switch
            {
                TokenGrant.FollowUp => completion.IssueFollowUpToken(call.Tenant, action, call.Token.Username),
                TokenGrant.Action => completion.IssueToken(call.Tenant, action),
                _ => null,
            };
            return Done(check.Answer(judgement, completed with { AccessToken = token }));
        });

        static Attempt<Outcome<TResult>> Done(Outcome<TResult> outcome) => outcome;
    }

    private async Task<(ChallengeContext, TState)> ReadWithAsync<TState, TResult>(ClientCall call, IProofCheck<TState, TResult> check)
    {
        var context = ReadAsync(call);
        var state = check.ReadAsync(call);
        await Task.WhenAll(context, state);
        return (context.Result, state.Result);
    }
}
