using Challenges.Api.Storage;
using Challenges.Api.Users;

namespace Challenges.Api.Actions;

/// <summary>
/// Actions, and the per-user index that lists them, in the user's hash slot: their keys, their time to live (the
/// tenant's action retention from creation) and every write to them. A change can be committed alone
/// (<see cref="UpdateAsync"/>) or as part of an atomic commit with a challenge and a user on keys of the same slot
/// (<see cref="CommitAsync"/>).
/// </summary>
public sealed class ActionStore(IStateStore store, ConflictRetry retry, TimeProvider time) : IUserErasure
{
    /// <summary>The action's document.</summary>
    internal static string KeyOf(ActionRef id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return $"u:{HashTags.User(id.TenantId, id.UserId)}:a:{HashTags.Escape(id.ActionCode)}:{HashTags.Escape(id.IdempotencyKey)}";
    }

    /// <summary>Index of a user's actions, scored by creation time (Unix ms); members are <see cref="MemberOf"/>.</summary>
    private static string IndexOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:actions";

    private static string MemberOf(string actionCode, string idempotencyKey) => $"{HashTags.Escape(actionCode)}:{HashTags.Escape(idempotencyKey)}";

    private static (string ActionCode, string IdempotencyKey)? ParseMember(string member)
    {
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (HashTags.Unescape(member[..colon]), HashTags.Unescape(member[(colon + 1)..]));
    }

    /// <summary>How long the action is kept from now: its retention counts from its creation.</summary>
    private TimeSpan Ttl(ActionRecord action, TimeSpan retention)
    {
        var ttl = action.CreatedAt + retention - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    /// <summary>The text an action is stored as: what a later compare-and-set on it expects.</summary>
    public static string TextOf(ActionRecord action) => StoreJson.Write(action);

    /// <summary>The action with the text it was read from, for a later compare-and-set; null when there is none.</summary>
    public Task<Stored<ActionRecord>?> ReadAsync(ActionRef id) => store.ReadAsync<ActionRecord>(KeyOf(id));

    /// <summary>
    /// Creates <paramref name="action"/> unless an action with its key exists; returns the stored one either way.
    /// <paramref name="read"/>: what this request already read under the key (null: it did not look), which saves a read
    /// when the action exists.
    /// </summary>
    public Task<(ActionRecord Action, bool Created)> CreateAsync(string tenantId, ActionRecord action, TimeSpan retention,
        Stored<ActionRecord>? read = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        var id = ActionRef.Of(tenantId, action);
        var index = IndexOf(tenantId, action.UserId);
        return retry.RunAsync<(ActionRecord, bool)>("tracking an action", async attempt =>
        {
            var existing = attempt == 1 ? read : await ReadAsync(id);
            if (existing is not null)
            {
                return (existing.Value, false);
            }
            var created = await store.CommitAsync(
            [
                StateChange.PutIfAbsent(KeyOf(id), StoreJson.Write(action), retention),
                StateChange.IndexAdd(index, MemberOf(action.ActionCode, action.IdempotencyKey), action.CreatedAt.ToUnixTimeMilliseconds()),
                StateChange.IndexTrim(index, (time.GetUtcNow() - retention).ToUnixTimeMilliseconds()),
            ]);
            // Lost to a concurrent track of the same key: the next attempt reads the action that won.
            return created ? (action, true) : Attempt.Conflict<(ActionRecord, bool)>();
        });
    }

    /// <summary>
    /// Compare-and-set on one action, retried on conflicts; <paramref name="change"/> returns null to leave it.
    /// Returns the action as it is afterwards, or null when it no longer exists. <paramref name="known"/>: the action as
    /// this request read it, which saves the first read.
    /// </summary>
    public Task<ActionRecord?> UpdateAsync(ActionRef id, Func<ActionRecord, ActionRecord?> change, TimeSpan retention,
        Stored<ActionRecord>? known = null) =>
        store.UpdateAsync(retry, KeyOf(id), change, a => Ttl(a, retention), known: known);

    /// <summary>
    /// Writes <paramref name="next"/> over the action as read, together with <paramref name="alongside"/> (parts on keys of
    /// the same user's slot), as one atomic step. With <paramref name="next"/> null the action is left as it is, but
    /// must still be as read. False when anything changed since it was read.
    /// </summary>
    public Task<bool> CommitAsync(ActionRef id, Stored<ActionRecord> current, ActionRecord? next, TimeSpan retention,
        params IEnumerable<StoreWrite> alongside)
    {
        ArgumentNullException.ThrowIfNull(current);
        var key = KeyOf(id);
        var own = new StoreWrite([next is not null ? StateChange.Over(key, current.Raw, TextOf(next), Ttl(next, retention))
            : current.Raw is null ? StateChange.RequireAbsent(key)
            : StateChange.RequireEqual(key, current.Raw)]);
        return store.CommitAsync([own, .. alongside]);
    }

    /// <summary>The user's actions created at or after <paramref name="from"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ActionRecord>> ListAsync(string tenantId, string userId, DateTimeOffset from, int take)
    {
        var members = await store.IndexRangeAsync(IndexOf(tenantId, userId), from.ToUnixTimeMilliseconds(), take);
        var raws = await store.GetManyAsync(KeysOf(tenantId, userId, members));
        return raws.OfType<string>().Select(StoreJson.Read<ActionRecord>).ToList();
    }

    /// <summary>A deleted user's actions go with it, index included.</summary>
    public async Task EraseAsync(string tenantId, string userId)
    {
        var index = IndexOf(tenantId, userId);
        var members = await store.IndexRangeAsync(index, double.NegativeInfinity, int.MaxValue);
        await store.CommitAsync([.. KeysOf(tenantId, userId, members).Select(StateChange.Delete), StateChange.Delete(index)]);
    }

    private static List<string> KeysOf(string tenantId, string userId, IEnumerable<string> members) =>
        members.Select(ParseMember).OfType<(string ActionCode, string IdempotencyKey)>()
            .Select(m => KeyOf(new ActionRef(tenantId, userId, m.ActionCode, m.IdempotencyKey))).ToList();
}
