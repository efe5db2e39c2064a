using Challenges.Api.Storage;

namespace Challenges.Api.Actions;

/// <summary>Actions and the per-user index that lists them, in the user's hash slot.</summary>
public sealed class ActionStore(IStateStore store, ConflictRetry retry, TimeProvider time)
{
    private static string Key(string tenantId, ActionRecord a) => StoreKeys.Action(tenantId, a.UserId, a.ActionCode, a.IdempotencyKey);

    /// <summary>Creates the action unless one with the same key exists; returns the stored one either way.</summary>
    public async Task<(ActionRecord Action, bool Created)> CreateAsync(string tenantId, ActionRecord action, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(action);
        var key = Key(tenantId, action);
        var index = StoreKeys.ActionIndex(tenantId, action.UserId);
        var created = await store.CommitAsync(
        [
            StateChange.PutIfAbsent(key, StoreJson.Write(action), retention),
            StateChange.IndexAdd(index, StoreKeys.ActionMember(action.ActionCode, action.IdempotencyKey), action.CreatedAt.ToUnixTimeMilliseconds()),
            StateChange.IndexTrim(index, (time.GetUtcNow() - retention).ToUnixTimeMilliseconds()),
        ]);
        if (created)
        {
            return (action, true);
        }
        var existing = await GetAsync(tenantId, action.UserId, action.ActionCode, action.IdempotencyKey);
        return existing is null ? await CreateAsync(tenantId, action, retention) : (existing, false);
    }

    public async Task<ActionRecord?> GetAsync(string tenantId, string userId, string actionCode, string idempotencyKey) =>
        (await GetStoredAsync(tenantId, userId, actionCode, idempotencyKey))?.Value;

    /// <summary>The action with the text it was read from, for a later compare-and-set without a second read.</summary>
    public Task<Stored<ActionRecord>?> GetStoredAsync(string tenantId, string userId, string actionCode, string idempotencyKey) =>
        store.ReadAsync<ActionRecord>(StoreKeys.Action(tenantId, userId, actionCode, idempotencyKey));

    /// <summary>Compare-and-set on one action; the change returns null to leave it. Keeps the action's retention.</summary>
    public Task<ActionRecord?> UpdateAsync(string tenantId, string userId, string actionCode, string idempotencyKey,
        Func<ActionRecord, ActionRecord?> change, TimeSpan retention, Stored<ActionRecord>? known = null) =>
        store.UpdateAsync(retry, StoreKeys.Action(tenantId, userId, actionCode, idempotencyKey), change,
            a => Max(a.CreatedAt + retention - time.GetUtcNow(), TimeSpan.FromSeconds(1)), known: known);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The user's actions created at or after <paramref name="from"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ActionRecord>> ListAsync(string tenantId, string userId, DateTimeOffset from, int take)
    {
        var members = await store.IndexRangeAsync(StoreKeys.ActionIndex(tenantId, userId), from.ToUnixTimeMilliseconds(), take);
        var keys = members.Select(StoreKeys.ParseActionMember).OfType<(string ActionCode, string IdempotencyKey)>()
            .Select(m => StoreKeys.Action(tenantId, userId, m.ActionCode, m.IdempotencyKey)).ToList();
        var raws = await store.GetManyAsync(keys);
        return raws.OfType<string>().Select(StoreJson.Read<ActionRecord>).ToList();
    }
}
