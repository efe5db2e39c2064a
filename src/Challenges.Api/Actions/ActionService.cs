using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>Tracking actions, reading and changing their state, and single-use validation of their tokens.</summary>
public sealed class ActionService(ActionStore actions, UserStore users, TokenService tokens, TimeProvider time)
{
    public sealed record Tracked(ActionRecord Action, UserRecord User, string Token);

    public async Task<Tracked> TrackAsync(Tenant tenant, string userId, string actionCode, TrackRequest request)
    {
        var user = await users.GetAsync(tenant.Id, userId);
        var now = time.GetUtcNow();
        var state = tenant.OutcomeOf(actionCode) switch
        {
            ActionOutcomes.Allow => ActionStates.Allow,
            ActionOutcomes.Block => ActionStates.Block,
            _ => user.EnrolledMethods(tenant).Count > 0 ? ActionStates.ChallengeRequired : ActionStates.Allow,
        };
        var (action, _) = await actions.CreateAsync(tenant.Id, new ActionRecord
        {
            UserId = userId,
            ActionCode = actionCode,
            IdempotencyKey = request.IdempotencyKey ?? Ids.New(),
            State = state,
            CreatedAt = now,
            StateUpdatedAt = now,
            Scope = request.Scope,
            RedirectUrl = request.RedirectUrl,
            IpAddress = request.IpAddress,
            UserAgent = request.UserAgent,
            DeviceId = request.DeviceId,
            Email = request.Email,
            PhoneNumber = request.PhoneNumber,
            Username = request.Username ?? user.Username,
            Locale = request.Locale,
            Custom = request.Custom,
            UserGeneration = user.Generation,
        }, tenant.Limits.ActionRetention);
        return new Tracked(action, user, IssueToken(tenant, action));
    }

    /// <summary>A client token for the action, with the scopes it was tracked with.</summary>
    public string IssueToken(Tenant tenant, ActionRecord action)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(action);
        return tokens.Issue(tenant.Id, action.UserId, action.ActionCode, action.IdempotencyKey, Scopes.Parse(action.Scope), action.Username);
    }

    public Task<ActionRecord?> GetAsync(Tenant tenant, string userId, string actionCode, string idempotencyKey) =>
        actions.GetAsync(tenant.Id, userId, actionCode, idempotencyKey);

    public Task<ActionRecord?> SetStateAsync(Tenant tenant, string userId, string actionCode, string idempotencyKey, string state) =>
        actions.UpdateAsync(tenant.Id, userId, actionCode, idempotencyKey,
            a => a.State == state ? null : a with { State = state, StateUpdatedAt = time.GetUtcNow() },
            tenant.Limits.ActionRetention);

    /// <summary>
    /// Records a challenge's result on its action: success moves an action that awaits a challenge to
    /// CHALLENGE_SUCCEEDED, failure to CHALLENGE_FAILED. Idempotent: applying the same result twice changes nothing.
    /// Returns the action as it is afterwards, or null when it no longer exists.
    /// </summary>
    public Task<ActionRecord?> CompleteChallengeAsync(Tenant tenant, ClientToken token, bool succeeded, string verificationMethod,
        Stored<ActionRecord>? known = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(token);
        var target = succeeded ? ActionStates.ChallengeSucceeded : ActionStates.ChallengeFailed;
        return actions.UpdateAsync(tenant.Id, token.UserId, token.ActionCode, token.IdempotencyKey,
            a => ActionStates.AwaitsChallenge(a.State)
                ? a with { State = target, StateUpdatedAt = time.GetUtcNow(), VerificationMethod = verificationMethod }
                : null,
            tenant.Limits.ActionRetention, known);
    }

    public async Task<IReadOnlyList<ActionRecord>> QueryAsync(Tenant tenant, string userId, DateTimeOffset? fromDate,
        IReadOnlyCollection<string>? codes, string? state)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var from = fromDate ?? time.GetUtcNow() - tenant.Limits.ActionRetention;
        var all = await actions.ListAsync(tenant.Id, userId, from, 10_000);
        return all
            .Where(a => codes is null || codes.Count == 0 || codes.Contains(a.ActionCode))
            .Where(a => state is null || a.State == state)
            .OrderByDescending(a => a.CreatedAt)
            .Take(1000)
            .ToList();
    }

    public sealed record Validation(ApiError? Error, ActionRecord? Action, bool IsValid);

    /// <summary>
    /// Validates a client token: a forged token or one of another tenant is an error; otherwise the answer says
    /// whether the action succeeded, and says so only once (the first call consumes it).
    /// </summary>
    public async Task<Validation> ValidateAsync(Tenant tenant, ValidateRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var check = await tokens.CheckAsync(request.Token);
        if (check.Status == TokenStatus.Invalid || check.Token!.TenantId != tenant.Id)
        {
            return new Validation(ApiError.Unauthorized("The token is not valid."), null, false);
        }
        var claims = check.Token;
        var wanted = (request.UserId is null || request.UserId == claims.UserId) && (request.Action is null || request.Action == claims.ActionCode);
        var consumed = false;
        var action = await actions.UpdateAsync(tenant.Id, claims.UserId, claims.ActionCode, claims.IdempotencyKey, a =>
        {
            consumed = false;
            if (!wanted || check.Status != TokenStatus.Valid || a.State != ActionStates.ChallengeSucceeded || a.Validated)
            {
                return null;
            }
            consumed = true;
            return a with { Validated = true };
        }, tenant.Limits.ActionRetention);
        return action is null
            ? new Validation(ApiError.NotFound("The token's action no longer exists."), null, false)
            : new Validation(null, action, consumed);
    }
}
