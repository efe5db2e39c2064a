using Challenges.Api.Storage;

namespace Challenges.Api.Otp;

/// <summary>OTP challenges in the store, and the per-user index that finds a user's latest one.</summary>
public sealed class OtpStore(IStateStore store, TimeProvider time)
{
    /// <summary>How long after its expiry a challenge is kept: a verified one can be claimed for one more lifetime.</summary>
    public static TimeSpan KeptAfterExpiry(TimeSpan lifetime) => lifetime + TimeSpan.FromMinutes(1);

    private TimeSpan Ttl(OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        var ttl = challenge.ExpiresAt + KeptAfterExpiry(lifetime) - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    public Task<Stored<OtpChallengeRecord>?> GetAsync(string tenantId, string challengeId) =>
        store.ReadAsync<OtpChallengeRecord>(StoreKeys.OtpChallenge(tenantId, challengeId));

    /// <summary>Stores a new challenge and, for a user's challenge, indexes it: two slots, written concurrently (one round trip).</summary>
    public async Task CreateAsync(string tenantId, OtpChallengeRecord challenge, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var creating = store.CommitAsync([StateChange.PutIfAbsent(StoreKeys.OtpChallenge(tenantId, challenge.Id), StoreJson.Write(challenge), Ttl(challenge, lifetime))]);
        if (challenge.UserId is { } userId)
        {
            var index = StoreKeys.UserOtpChallenges(tenantId, userId);
            await store.CommitAsync(
            [
                StateChange.IndexAdd(index, challenge.Id, challenge.CreatedAt.ToUnixTimeMilliseconds()),
                StateChange.IndexTrim(index, (time.GetUtcNow() - lifetime - KeptAfterExpiry(lifetime)).ToUnixTimeMilliseconds()),
            ]);
        }
        if (!await creating)
        {
            throw new InvalidOperationException("A new challenge id is already in use.");
        }
    }

    /// <summary>Writes <paramref name="next"/> only if the challenge is still exactly <paramref name="current"/> (compare-and-set).</summary>
    public Task<bool> ReplaceAsync(string tenantId, Stored<OtpChallengeRecord> current, OtpChallengeRecord next, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return store.CommitAsync([StateChange.Replace(StoreKeys.OtpChallenge(tenantId, next.Id), current.Raw, StoreJson.Write(next),
            Ttl(next, lifetime))]);
    }

    /// <summary>The user's challenges created within the retention, oldest first.</summary>
    public async Task<IReadOnlyList<OtpChallengeRecord>> ListForUserAsync(string tenantId, string userId, TimeSpan lifetime)
    {
        var ids = await store.IndexRangeAsync(StoreKeys.UserOtpChallenges(tenantId, userId),
            (time.GetUtcNow() - lifetime - KeptAfterExpiry(lifetime)).ToUnixTimeMilliseconds(), 200);
        // Each challenge has its own slot, so they are read one by one (in parallel).
        var found = await Task.WhenAll(ids.Select(id => GetAsync(tenantId, id)));
        return found.OfType<Stored<OtpChallengeRecord>>().Select(s => s.Value).ToList();
    }
}
