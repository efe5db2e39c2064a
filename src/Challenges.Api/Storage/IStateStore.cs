namespace Challenges.Api.Storage;

/// <summary>
/// The narrow store every feature store is written against. Each aggregate's store names its own keys (with <see cref="HashTags"/>); all keys of one
/// call share a hash tag, so the same calls run on a single Redis and on Redis Cluster. Implementations throw
/// <see cref="StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IStateStore
{
    Task<string?> GetAsync(string key);

    /// <summary>Reads several keys of one hash slot in one round trip.</summary>
    Task<IReadOnlyList<string?>> GetManyAsync(IReadOnlyList<string> keys);

    /// <summary>Applies every change atomically if every condition holds; false (and nothing written) otherwise.</summary>
    Task<bool> CommitAsync(IReadOnlyList<StateChange> changes);

    /// <summary>Writes <paramref name="value"/> with a time to live and returns the value it replaced (null when none).</summary>
    Task<string?> ExchangeAsync(string key, string value, TimeSpan ttl);

    /// <summary>Adds one to a counter, setting its time to live when it is created; returns the new count.</summary>
    Task<long> IncrementAsync(string key, TimeSpan ttl);

    /// <summary>Takes one back from a counter that exists (a refund); a counter that is gone stays gone.</summary>
    Task DecrementAsync(string key);

    /// <summary>Members of an index with <paramref name="minScore"/> ≤ score, lowest score first, at most <paramref name="take"/>.</summary>
    Task<IReadOnlyList<string>> IndexRangeAsync(string key, double minScore, int take);

    /// <summary>
    /// Adds <paramref name="member"/> to an index unless it is there already (Redis <c>ZADD NX</c>: an existing member keeps
    /// its score); true when it was added.
    /// </summary>
    Task<bool> IndexAddNewAsync(string key, string member, double score);

    /// <summary>Throws <see cref="StoreUnavailableException"/> when the store does not answer.</summary>
    Task PingAsync();
}
