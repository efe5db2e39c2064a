using Challenges.Api.Actions;
using Challenges.Api.Storage;

namespace Challenges.Api.Otp;

/// <summary>
/// OTP challenges in the store: their keys, time to live and writes. A client challenge (a client token's SMS,
/// WhatsApp or email code) is stored beside its action, in the user's hash slot, as the action's latest OTP
/// challenge: the verify that names only the token reads it with the action and the user in one command. Every
/// challenge is also found by its id, which names its slot (<see cref="ChallengeIds"/>): a passwordless or reserved
/// challenge is stored under its id, a client challenge leaves a reference to its action there. A user's challenges are
/// indexed in the user's slot, newest last, to find the latest.
/// </summary>
public sealed class OtpChallengeStore(IStateStore store, TimeProvider time)
{
    private const string ReferencePrefix = "{\"ref\":";

    private sealed record Reference(string Ref);

    /// <summary>A challenge under its id: the challenge itself, or a reference to the action a client challenge is stored with.</summary>
    internal static string KeyOf(string tenantId, string challengeId) =>
        $"o:{ChallengeIds.TagOf(challengeId)}:{HashTags.Escape(tenantId)}:{HashTags.Escape(challengeId)}";

    /// <summary>An action's latest client OTP challenge.</summary>
    private static string KeyOf(ActionRef action) => $"{ActionStore.KeyOf(action)}:otp";

    /// <summary>Index of a user's OTP challenges, scored by creation time (Unix ms); members are challenge ids.</summary>
    private static string IndexOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:otp";

    /// <summary>How long after its expiry a challenge is kept: a verified one can be claimed for one more lifetime.</summary>
    public static TimeSpan KeptAfterExpiry(TimeSpan lifetime) => lifetime + TimeSpan.FromMinutes(1);

    private TimeSpan Ttl(OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        var ttl = challenge.ExpiresAt + KeptAfterExpiry(lifetime) - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    /// <summary>A new challenge's id: in its user's slot, or in a slot of its own when it has no user yet.</summary>
    public static string NewId(string tenantId, string? userId) => ChallengeIds.New(userId is null ? null : HashTags.User(tenantId, userId));

    private List<StateChange> Indexing(string tenantId, OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        if (challenge.UserId is not { } userId)
        {
            return [];
        }
        var index = IndexOf(tenantId, userId);
        return
        [
            StateChange.IndexAdd(index, challenge.Id, challenge.CreatedAt.ToUnixTimeMilliseconds()),
            StateChange.IndexTrim(index, (time.GetUtcNow() - lifetime - KeptAfterExpiry(lifetime)).ToUnixTimeMilliseconds()),
        ];
    }

    /// <summary>Stores a passwordless or reserved challenge under its id, indexed for its user (same slot): one command.</summary>
    public async Task CreateAsync(string tenantId, OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (!await store.CommitAsync([StateChange.PutIfAbsent(KeyOf(tenantId, challenge.Id), StoreJson.Write(challenge), Ttl(challenge, lifetime)),
                .. Indexing(tenantId, challenge, lifetime)]))
        {
            throw new InvalidOperationException("A new challenge id is already in use.");
        }
    }

    /// <summary>A client challenge as the latest of its action, findable by id and indexed: a part of the action's atomic write.</summary>
    public StoreWrite StartWrite(ActionRef action, OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var ttl = Ttl(challenge, lifetime);
        var key = KeyOf(action);
        return new StoreWrite(
        [
            StateChange.Put(key, StoreJson.Write(challenge), ttl),
            StateChange.Put(KeyOf(action.TenantId, challenge.Id), StoreJson.Write(new Reference(key)), ttl),
            .. Indexing(action.TenantId, challenge, lifetime),
        ]);
    }

    /// <summary>The action's latest client challenge, with the text it was read from.</summary>
    public Task<Stored<OtpChallengeRecord>?> ReadForActionAsync(ActionRef action) => store.ReadAsync<OtpChallengeRecord>(KeyOf(action));

    /// <summary>A client challenge's move (an attempt counted, verified), over the text it was read from: a part of an atomic write.</summary>
    public StoreWrite MoveWrite(ActionRef action, Stored<OtpChallengeRecord> current, OtpChallengeRecord next, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return new StoreWrite([StateChange.Over(KeyOf(action), current.Raw, StoreJson.Write(next), Ttl(next, lifetime))]);
    }

    /// <summary>
    /// The challenge <paramref name="challengeId"/>, wherever it is stored; a client challenge only while it is still
    /// its action's latest. The text is the stored one, but only a passwordless challenge may be written back
    /// (<see cref="ReplaceAsync"/>).
    /// </summary>
    public async Task<Stored<OtpChallengeRecord>?> ReadAsync(string tenantId, string challengeId)
    {
        var raw = await store.GetAsync(KeyOf(tenantId, challengeId));
        if (raw?.StartsWith(ReferencePrefix, StringComparison.Ordinal) == true)
        {
            raw = await store.GetAsync(StoreJson.Read<Reference>(raw).Ref);
        }
        return Parse(raw) is { } challenge && challenge.Id == challengeId ? new Stored<OtpChallengeRecord>(challenge, raw) : null;
    }

    private static OtpChallengeRecord? Parse(string? raw) =>
        raw is null || raw.StartsWith(ReferencePrefix, StringComparison.Ordinal) ? null : StoreJson.Read<OtpChallengeRecord>(raw);

    /// <summary>Writes a passwordless challenge's <paramref name="next"/> only if it is still exactly as read (compare-and-set).</summary>
    public Task<bool> ReplaceAsync(string tenantId, Stored<OtpChallengeRecord> current, OtpChallengeRecord next, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return store.CommitAsync([StateChange.Over(KeyOf(tenantId, next.Id), current.Raw, StoreJson.Write(next), Ttl(next, lifetime))]);
    }

    /// <summary>The user's challenges created within the retention, oldest first (all in the user's slot: two reads).</summary>
    public async Task<IReadOnlyList<OtpChallengeRecord>> ListForUserAsync(string tenantId, string userId, TimeSpan lifetime)
    {
        var userTag = HashTags.User(tenantId, userId);
        var ids = (await store.IndexRangeAsync(IndexOf(tenantId, userId),
                (time.GetUtcNow() - lifetime - KeptAfterExpiry(lifetime)).ToUnixTimeMilliseconds(), 200))
            .Where(id => ChallengeIds.IsInSlotOf(id, userTag)).ToList();
        var raws = await store.GetManyAsync(ids.Select(id => KeyOf(tenantId, id)).ToList());
        var references = raws.OfType<string>().Where(r => r.StartsWith(ReferencePrefix, StringComparison.Ordinal))
            .Select(r => StoreJson.Read<Reference>(r).Ref).Distinct(StringComparer.Ordinal).ToList();
        var referenced = await store.GetManyAsync(references);
        return raws.Concat(referenced).Select(Parse).OfType<OtpChallengeRecord>()
            .Where(c => ids.Contains(c.Id)).DistinctBy(c => c.Id).ToList();
    }
}
