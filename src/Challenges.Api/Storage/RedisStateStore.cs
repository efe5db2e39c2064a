using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Challenges.Api.Storage;

/// <summary>
/// <see cref="IStateStore"/> on Redis. Atomic changes are the Lua scripts below, each on keys of one hash slot.
/// Every call is bounded by <see cref="RedisOptions.OperationTimeout"/>; connection failures and time-outs surface as
/// <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class RedisStateStore(RedisConnection connection, IOptions<RedisOptions> options) : IStateStore
{
    /// <summary>
    /// Conditional batch. ARGV holds five values per key: op, expect, expected, value, number (ttl ms or score).
    /// All conditions are checked before anything is written.
    /// </summary>
    internal const string CommitScript = """
        for i = 1, #KEYS do
          local b = (i - 1) * 5
          local expect = ARGV[b + 2]
          if expect ~= 'any' then
            local current = redis.call('GET', KEYS[i])
            if expect == 'absent' then
              if current then return 0 end
            elseif current ~= ARGV[b + 3] then
              return 0
            end
          end
        end
        for i = 1, #KEYS do
          local b = (i - 1) * 5
          local op, key, value, number = ARGV[b + 1], KEYS[i], ARGV[b + 4], ARGV[b + 5]
          if op == 'put' then
            if tonumber(number) > 0 then
              redis.call('SET', key, value, 'PX', number)
            else
              redis.call('SET', key, value)
            end
          elseif op == 'del' then
            redis.call('DEL', key)
          elseif op == 'zadd' then
            redis.call('ZADD', key, number, value)
          elseif op == 'zrem' then
            redis.call('ZREM', key, value)
          elseif op == 'ztrim' then
            redis.call('ZREMRANGEBYSCORE', key, '-inf', number)
          end
        end
        return 1
        """;

    /// <summary>A counter that gets its time to live when it is created.</summary>
    internal const string IncrementScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return count
        """;

    private readonly string _prefix = options.Value.KeyPrefix;
    private readonly TimeSpan _timeout = options.Value.OperationTimeout;

    private IDatabase Db => connection.Database;

    private RedisKey K(string key) => _prefix + key;

    public Task<string?> GetAsync(string key) => Run(async () => (string?)await Db.StringGetAsync(K(key)));

    public Task<IReadOnlyList<string?>> GetManyAsync(IReadOnlyList<string> keys) => Run(async () =>
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return (IReadOnlyList<string?>)[];
        }
        var values = await Db.StringGetAsync(keys.Select(K).ToArray());
        return (IReadOnlyList<string?>)values.Select(v => (string?)v).ToArray();
    });

    public Task<bool> CommitAsync(IReadOnlyList<StateChange> changes) => Run(async () =>
    {
        ArgumentNullException.ThrowIfNull(changes);
        var keys = new RedisKey[changes.Count];
        var args = new RedisValue[changes.Count * 5];
        for (var i = 0; i < changes.Count; i++)
        {
            var c = changes[i];
            keys[i] = K(c.Key);
            args[i * 5] = c.Op switch
            {
                StateOp.Put => "put",
                StateOp.Delete => "del",
                StateOp.IndexAdd => "zadd",
                StateOp.IndexRemove => "zrem",
                StateOp.IndexTrim => "ztrim",
                _ => "check",
            };
            args[i * 5 + 1] = c.Expect switch { Expect.Absent => "absent", Expect.Equal => "equal", _ => "any" };
            args[i * 5 + 2] = c.Expected ?? "";
            args[i * 5 + 3] = c.Value ?? "";
            args[i * 5 + 4] = c.Op is StateOp.IndexAdd or StateOp.IndexTrim
                ? c.Score.ToString("R", CultureInfo.InvariantCulture)
                : ((long)(c.Ttl?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture);
        }
        var result = await Db.ScriptEvaluateAsync(CommitScript, keys, args);
        return (long)result == 1;
    });

    public Task<long> IncrementAsync(string key, TimeSpan ttl) => Run(async () =>
        (long)await Db.ScriptEvaluateAsync(IncrementScript, [K(key)], [(long)ttl.TotalMilliseconds]));

    public Task<IReadOnlyList<string>> IndexRangeAsync(string key, double minScore, int take) => Run(async () =>
    {
        var members = await Db.SortedSetRangeByScoreAsync(K(key), minScore, double.PositiveInfinity, take: take);
        return (IReadOnlyList<string>)members.Select(m => (string)m!).ToArray();
    });

    public Task PingAsync() => Run(async () => await Db.PingAsync());

    private async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().WaitAsync(_timeout);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or TimeoutException or ObjectDisposedException
                                      || (e is RedisServerException server && IsTransient(server)))
        {
            throw new StoreUnavailableException("The Redis store is unavailable.", e);
        }
    }

    private static bool IsTransient(RedisServerException e) =>
        e.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
        e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) ||
        e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) ||
        e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
        e.Message.StartsWith("READONLY", StringComparison.Ordinal);
}
