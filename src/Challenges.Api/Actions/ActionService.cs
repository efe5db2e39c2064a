using Challenges.Api.Http;
using Challenges.Api.Tenants;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>Tracking actions, reading and changing their state, and single-use validation of their tokens.</summary>
public sealed class ActionService(ActionStore actions, UserStore users, ActionCompletion completion, TokenService tokens, TimeProvider time)
{
    public sealed record Tracked(ActionRecord Action, UserRecord User, string Token);

    /// <summary>
    /// Tracks an action: the user and, when the backend names its idempotency key, the action already tracked under it
    /// are read together; a new action is written with the user's index of actions (one write).
    /// </summary>
    public async Task<Tracked> TrackAsync(Tenant tenant, string userId, string actionCode, TrackRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var idempotencyKey = request.IdempotencyKey ?? Ids.New();
        var userRead = users.GetAsync(tenant.Id, userId);
        var actionRead = request.IdempotencyKey is null
            ? Task.FromResult<Storage.Stored<ActionRecord>?>(null)
            : actions.ReadAsync(new ActionRef(tenant.Id, userId, actionCode, idempotencyKey));
        await Task.WhenAll(userRead, actionRead);
        var user = userRead.Result;
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
            IdempotencyKey = idempotencyKey,
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
        }, tenant.Limits.ActionRetention, actionRead.Result);
        return new Tracked(action, user, completion.IssueToken(tenant, action));
    }

    public async Task<Outcome<ActionRecord>> GetAsync(Tenant tenant, ActionRef id) =>
        (await actions.ReadAsync(id))?.Value is { } action ? action : ApiError.NotFound("No such action.");

    public async Task<Outcome<ActionRecord>> SetStateAsync(Tenant tenant, ActionRef id, string state) =>
        await actions.UpdateAsync(id, a => a.State == state ? null : a with { State = state, StateUpdatedAt = time.GetUtcNow() },
            tenant.Limits.ActionRetention) is { } updated
            ? updated
            : ApiError.NotFound("No such action.");

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

    public sealed record Validation(ActionRecord Action, bool IsValid);

    /// <summary>
    /// Validates a client token: a forged token or one of another tenant is an error; otherwise the answer says
    /// whether the action succeeded, and says so only once (the first call consumes it).
    /// </summary>
    public async Task<Outcome<Validation>> ValidateAsync(Tenant tenant, ValidateRequest request)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(request);
        var check = await tokens.CheckAsync(request.Token);
        if (check.Status == TokenStatus.Invalid || check.Token!.TenantId != tenant.Id)
        {
            return ApiError.Unauthorized("The token is not valid.");
        }
        var claims = check.Token;
        var wanted = (request.UserId is null || request.UserId == claims.UserId) && (request.Action is null || request.Action == claims.ActionCode);
        var consumed = false;
        var action = await actions.UpdateAsync(ActionRef.Of(claims), a =>
        {
            consumed = wanted && check.Status == TokenStatus.Valid && a.State == ActionStates.ChallengeSucceeded && !a.Validated;
            return consumed ? a with { Validated = true } : null;
        }, tenant.Limits.ActionRetention);
        return action is null ? ApiError.NotFound("The token's action no longer exists.") : new Validation(action, consumed);
    }
}
