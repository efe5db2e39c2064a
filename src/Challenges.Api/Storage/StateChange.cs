namespace Challenges.Api.Storage;

/// <summary>What a <see cref="StateChange"/> does to its key.</summary>
public enum StateOp
{
    /// <summary>Nothing: the change only states a condition.</summary>
    Check,
    Put,
    Delete,
    IndexAdd,
    IndexRemove,
    /// <summary>Removes index members scored at or below <see cref="StateChange.Score"/>.</summary>
    IndexTrim,
    /// <summary>Adds one to a counter, which gets its time to live when it is created.</summary>
    Count,
}

/// <summary>The condition a string key must meet for a commit to apply.</summary>
public enum Expect
{
    Any,
    Absent,
    Equal,
    /// <summary>The counter (absent: 0) is below <see cref="StateChange.Score"/>.</summary>
    Below,
}

/// <summary>
/// One step of an atomic commit (<see cref="IStateStore.CommitAsync"/>). All conditions are checked first; if any
/// fails nothing is written. Conditions apply to string keys and counters only; index keys take <see cref="Expect.Any"/>.
/// </summary>
public sealed record StateChange(StateOp Op, string Key, string? Value = null, TimeSpan? Ttl = null,
    Expect Expect = Expect.Any, string? Expected = null, double Score = 0)
{
    public static StateChange Put(string key, string value, TimeSpan? ttl = null) => new(StateOp.Put, key, value, ttl);

    public static StateChange PutIfAbsent(string key, string value, TimeSpan? ttl = null) =>
        new(StateOp.Put, key, value, ttl, Expect.Absent);

    /// <summary>Replaces the value only if it is still <paramref name="expected"/> (compare-and-set).</summary>
    public static StateChange Replace(string key, string expected, string value, TimeSpan? ttl = null) =>
        new(StateOp.Put, key, value, ttl, Expect.Equal, expected);

    /// <summary>Writes over the text <paramref name="read"/> (null: over nothing), on condition that it is still there.</summary>
    public static StateChange Over(string key, string? read, string value, TimeSpan? ttl = null) =>
        read is null ? PutIfAbsent(key, value, ttl) : Replace(key, read, value, ttl);

    public static StateChange Delete(string key) => new(StateOp.Delete, key);

    public static StateChange DeleteIfEqual(string key, string expected) => new(StateOp.Delete, key, Expect: Expect.Equal, Expected: expected);

    public static StateChange RequireEqual(string key, string expected) => new(StateOp.Check, key, Expect: Expect.Equal, Expected: expected);

    public static StateChange RequireAbsent(string key) => new(StateOp.Check, key, Expect: Expect.Absent);

    public static StateChange IndexAdd(string key, string member, double score) => new(StateOp.IndexAdd, key, member, Score: score);

    public static StateChange IndexRemove(string key, string member) => new(StateOp.IndexRemove, key, member);

    public static StateChange IndexTrim(string key, double maxScore) => new(StateOp.IndexTrim, key, Score: maxScore);

    /// <summary>Counts one use, on condition that fewer than <paramref name="limit"/> were counted before.</summary>
    public static StateChange CountUnder(string key, int limit, TimeSpan ttl) => new(StateOp.Count, key, Ttl: ttl, Expect: Expect.Below, Score: limit);
}
