using Challenges.Api.Actions;
using Challenges.Api.Storage;

namespace Challenges.Api.MagicLink;

/// <summary>
/// Email magic link challenges in the store: the action's latest one beside the action (<c>…:ml</c>, found by a
/// client token's poll in the same round trip as the action), and under its id a reference to that key (found by the
/// link, whose token names the id). Both are in the user's slot, so a start writes them with the action's pointer, and
/// a confirmation moves the challenge with the action and the user, in one atomic write.
/// </summary>
public sealed class MagicLinkStore(IStateStore store, TimeProvider time)
{
    /// <summary>The reference to an action: where its latest magic link challenge is.</summary>
    private sealed record Reference(string UserId, string ActionCode, string IdempotencyKey);

    private static string KeyOf(ActionRef action) => $"{ActionStore.KeyOf(action)}:ml";

    private static string KeyOf(string tenantId, string challengeId) =>
        $"l:{ChallengeIds.TagOf(challengeId)}:{HashTags.Escape(tenantId)}:{HashTags.Escape(challengeId)}";

    /// <summary>Kept past expiry so that late polls and late clicks learn what happened (expired, used) rather than nothing.</summary>
    private static readonly TimeSpan KeptAfterExpiry = TimeSpan.FromMinutes(10);

    private TimeSpan Ttl(MagicLinkChallengeRecord challenge)
    {
        var ttl = challenge.ExpiresAt + KeptAfterExpiry - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    /// <summary>The action's latest magic link challenge, with the text it was read from.</summary>
    public Task<Stored<MagicLinkChallengeRecord>?> ReadForActionAsync(ActionRef action) => store.ReadAsync<MagicLinkChallengeRecord>(KeyOf(action));

    /// <summary>The action a challenge id belongs to; null when the id is unknown (or its challenge long gone).</summary>
    public async Task<ActionRef?> FindActionAsync(string tenantId, string challengeId)
    {
        var raw = await store.GetAsync(KeyOf(tenantId, challengeId));
        return raw is null ? null : StoreJson.Read<Reference>(raw) is var r ? new ActionRef(tenantId, r.UserId, r.ActionCode, r.IdempotencyKey) : null;
    }

    /// <summary>A new challenge as its action's latest (replacing an older one, whose link then finds nothing), findable by id.</summary>
    public StoreWrite StartWrite(ActionRef action, MagicLinkChallengeRecord challenge)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(challenge);
        var ttl = Ttl(challenge);
        return new StoreWrite(
        [
            StateChange.Put(KeyOf(action), StoreJson.Write(challenge), ttl),
            StateChange.PutIfAbsent(KeyOf(action.TenantId, challenge.Id),
                StoreJson.Write(new Reference(action.UserId, action.ActionCode, action.IdempotencyKey)), ttl),
        ]);
    }

    /// <summary>The challenge's move (confirmed) over the text it was read from: a part of the action's atomic write.</summary>
    public StoreWrite MoveWrite(ActionRef action, Stored<MagicLinkChallengeRecord> current, MagicLinkChallengeRecord next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return new StoreWrite([StateChange.Over(KeyOf(action), current.Raw, StoreJson.Write(next), Ttl(next))]);
    }
}
