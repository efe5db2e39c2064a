using Challenges.Api.Storage;

namespace Challenges.Api.Users;

/// <summary>Users as documents in the store; an absent document reads as <see cref="UserRecord.Empty"/>.</summary>
public sealed class UserStore(IStateStore store)
{
    public async Task<UserRecord> GetAsync(string tenantId, string userId) =>
        (await store.ReadAsync<UserRecord>(StoreKeys.User(tenantId, userId)))?.Value ?? UserRecord.Empty;

    /// <summary>
    /// Applies <paramref name="change"/> atomically (creating the user when absent); null from the change leaves it
    /// as it is. <paramref name="alsoApply"/> adds changes on keys of the user's slot to the same commit.
    /// </summary>
    public async Task<UserRecord> UpdateAsync(string tenantId, string userId, Func<UserRecord, UserRecord?> change,
        Func<UserRecord, IEnumerable<StateChange>>? alsoApply = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = StoreKeys.User(tenantId, userId);
        await store.CommitAsync([StateChange.PutIfAbsent(key, StoreJson.Write(UserRecord.Empty))]);
        return await store.UpdateAsync(key, change, _ => null, alsoApply) ?? UserRecord.Empty;
    }

    public Task DeleteAsync(string tenantId, string userId) =>
        store.CommitAsync([StateChange.Delete(StoreKeys.User(tenantId, userId)), StateChange.Delete(StoreKeys.ActionIndex(tenantId, userId))]);
}
