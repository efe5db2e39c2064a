using Challenges.Api.Actions;
using Challenges.Api.Storage;

namespace Challenges.Api.Passkeys;

/// <summary>
/// Passkey state in the store. WebAuthn challenges: a client token's beside its action (the action's latest, written
/// with the action's pointer to it, so the token alone finds it); a sign-in's (tenant Basic) under its id, in a slot of
/// its own (<see cref="ChallengeIds"/>). And the tenant's index of credential ids, each naming the user who holds it, in
/// a slot per credential: a sign-in finds its user from the credential alone. The user document stays the truth: an
/// index entry whose user no longer holds the credential is treated as absent and may be taken over.
/// </summary>
public sealed class PasskeyStore(IStateStore store, ConflictRetry retry, TimeProvider time)
{
    private static string ChallengeKey(string tenantId, string challengeId) =>
        $"w:{ChallengeIds.TagOf(challengeId)}:{HashTags.Escape(tenantId)}:{HashTags.Escape(challengeId)}";

    private static string ChallengeKey(ActionRef action) => $"{ActionStore.KeyOf(action)}:webauthn";

    /// <summary>Where a challenge is: beside its action when it has a user, else under its id.</summary>
    private static string ChallengeKey(string tenantId, PasskeyChallengeRecord challenge) => challenge.UserId is null
        ? ChallengeKey(tenantId, challenge.Id)
        : ChallengeKey(new ActionRef(tenantId, challenge.UserId, challenge.ActionCode, challenge.IdempotencyKey));

    private static string CredentialKey(string tenantId, string credentialId) => $"wc:{HashTags.Own(tenantId, HashTags.Escape(credentialId))}";

    /// <summary>A used or expired challenge is kept a little longer, so a replay meets "used" rather than "unknown".</summary>
    private TimeSpan Ttl(PasskeyChallengeRecord challenge)
    {
        var ttl = challenge.ExpiresAt + TimeSpan.FromMinutes(1) - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    /// <summary>A client token's challenge, replacing its action's earlier one: a part of the atomic write that points the action at it.</summary>
    public StoreWrite StartWrite(ActionRef action, PasskeyChallengeRecord challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return new StoreWrite([StateChange.Put(ChallengeKey(action), StoreJson.Write(challenge), Ttl(challenge))]);
    }

    /// <summary>The client token's action's latest WebAuthn challenge.</summary>
    public Task<Stored<PasskeyChallengeRecord>?> ReadForActionAsync(ActionRef action) => store.ReadAsync<PasskeyChallengeRecord>(ChallengeKey(action));

    /// <summary>Stores a sign-in's challenge; false when its id already has one (a reserved id answers one set of options).</summary>
    public Task<bool> CreateAsync(string tenantId, PasskeyChallengeRecord challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return store.CommitAsync([StateChange.PutIfAbsent(ChallengeKey(tenantId, challenge.Id), StoreJson.Write(challenge), Ttl(challenge))]);
    }

    /// <summary>A sign-in's challenge by id.</summary>
    public Task<Stored<PasskeyChallengeRecord>?> ReadAsync(string tenantId, string challengeId) =>
        store.ReadAsync<PasskeyChallengeRecord>(ChallengeKey(tenantId, challengeId));

    /// <summary>The challenge marked used, over the text it was read from: a part of an atomic write.</summary>
    public StoreWrite UseWrite(string tenantId, Stored<PasskeyChallengeRecord> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var used = current.Value with { UsedAt = time.GetUtcNow() };
        return new StoreWrite([StateChange.Over(ChallengeKey(tenantId, used), current.Raw, StoreJson.Write(used), Ttl(used))]);
    }

    /// <summary>Marks a sign-in's challenge used; false when another request used it first.</summary>
    public Task<bool> UseAsync(string tenantId, Stored<PasskeyChallengeRecord> current) => store.CommitAsync(UseWrite(tenantId, current));

    /// <summary>The user the index names for a credential id (base64url), or null.</summary>
    public Task<string?> HolderAsync(string tenantId, string credentialId) => store.GetAsync(CredentialKey(tenantId, credentialId));

    /// <summary>
    /// Names <paramref name="userId"/> as the holder of a credential. False when the index names another user who still
    /// holds it; an entry whose user no longer does (<paramref name="staleHolder"/> answers true) is taken over.
    /// </summary>
    public Task<bool> ClaimAsync(string tenantId, string credentialId, string userId, Func<string, Task<bool>> staleHolder)
    {
        ArgumentNullException.ThrowIfNull(staleHolder);
        var key = CredentialKey(tenantId, credentialId);
        return retry.RunAsync<bool>("claiming a credential id", async _ =>
        {
            var holder = await store.GetAsync(key);
            if (holder == userId)
            {
                return true;
            }
            if (holder is not null && !await staleHolder(holder))
            {
                return false;
            }
            return await store.CommitAsync([StateChange.Over(key, holder, userId)]) ? true : Attempt.Conflict<bool>();
        });
    }
}
