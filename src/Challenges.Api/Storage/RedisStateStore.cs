using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Challenges.Api.Storage;

/// <summary>
/// <see cref="IStateStore"/> on Redis. Atomic changes are the Lua scripts below, each on keys of one hash slot.
/// Every call is bounded by <see cref="RedisOptions.OperationTimeout"/>; connection failures and time-outs surface as
/// <see cref="StoreUnavailableException"/>.
/// </summary>
public sealed class RedisStateStore(RedisConnection connection, IOptions<RedisOptions> options) : IStateStore, IWorkQueue, IKeyScan
{
    /// <summary>KEYS: queue (zset member → due ms), sequences (hash), since (zset member → first added ms). ARGV: member, sequence, due ms.</summary>
    internal const string QueueAddScript = """
        local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
        if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
        redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
        redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: queue, sequences. ARGV: now ms, lease-until ms, take. Returns member, sequence pairs.</summary>
    internal const string QueueClaimScript = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
        local result = {}
        for _, member in ipairs(due) do
          redis.call('ZADD', KEYS[1], 'XX', ARGV[2], member)
          table.insert(result, member)
          table.insert(result, redis.call('HGET', KEYS[2], member) or '0')
        end
        return result
        """;

    /// <summary>KEYS: queue, sequences, since. ARGV: member, processed sequence, next due ms or '', now ms.</summary>
    internal const string QueueReleaseScript = """
        if ARGV[3] ~= '' then
          redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
          return 1
        end
        local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if current > tonumber(ARGV[2]) then
          redis.call('ZADD', KEYS[1], 'XX', ARGV[4], ARGV[1])
          return 0
        end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        return 2
        """;

    /// <summary>
    /// Conditional batch. ARGV holds five values per key: op, expect, expected, value, number (ttl ms, score or limit);
    /// a count carries its time to live in the value's place. All conditions are checked before anything is written.
    /// </summary>
    internal const string CommitScript = """
        for i = 1, #KEYS do
          local b = (i - 1) * 5
          local expect = ARGV[b + 2]
          if expect ~= 'any' then
            local current = redis.call('GET', KEYS[i])
            if expect == 'absent' then
              if current then return 0 end
            elseif expect == 'below' then
              if tonumber(current or '0') >= tonumber(ARGV[b + 5]) then return 0 end
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
          elseif op == 'count' then
            if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[b + 4]) end
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

    /// <summary>A refund: never creates the counter (that would leave one without a time to live).</summary>
    internal const string DecrementScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
        return 0
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
                StateOp.Count => "count",
                _ => "check",
            };
            var ttl = ((long)(c.Ttl?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture);
            args[i * 5 + 1] = c.Expect switch { Expect.Absent => "absent", Expect.Equal => "equal", Expect.Below => "below", _ => "any" };
            args[i * 5 + 2] = c.Expected ?? "";
            args[i * 5 + 3] = c.Op == StateOp.Count ? ttl : c.Value ?? "";
            args[i * 5 + 4] = c.Op is StateOp.IndexAdd or StateOp.IndexTrim or StateOp.Count
                ? c.Score.ToString("R", CultureInfo.InvariantCulture)
                : ttl;
        }
        var result = await Db.ScriptEvaluateAsync(CommitScript, keys, args);
        return (long)result == 1;
    });

    public Task<string?> ExchangeAsync(string key, string value, TimeSpan ttl) => Run(async () =>
        (string?)await Db.StringSetAndGetAsync(K(key), value, ttl));

    public Task<long> IncrementAsync(string key, TimeSpan ttl) => Run(async () =>
        (long)await Db.ScriptEvaluateAsync(IncrementScript, [K(key)], [(long)ttl.TotalMilliseconds]));

    public Task DecrementAsync(string key) => Run(async () => await Db.ScriptEvaluateAsync(DecrementScript, [K(key)]));

    public Task<IReadOnlyList<string>> IndexRangeAsync(string key, double minScore, int take) => Run(async () =>
    {
        var members = await Db.SortedSetRangeByScoreAsync(K(key), minScore, double.PositiveInfinity, take: take);
        return (IReadOnlyList<string>)members.Select(m => (string)m!).ToArray();
    });

    public Task<bool> IndexAddNewAsync(string key, string member, double score) => Run(() =>
        Db.SortedSetAddAsync(K(key), member, score, SortedSetWhen.NotExists));

    /// <summary>Pings every master: on a cluster, the store is ready only when each slot's owner answers.</summary>
    public Task PingAsync() => Run(async () => await Task.WhenAll(MasterServers().Select(m => m.PingAsync())));

    public IReadOnlyList<string> Masters() => MasterServers().Select(m => RedisConnection.Format(m.EndPoint)).ToList();

    public async IAsyncEnumerable<string> ScanAsync(string pattern, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var match = KeyPattern.Literal(_prefix) + pattern;
        foreach (var master in MasterServers())
        {
            long cursor = 0;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = cursor;
                var page = await Run(async () => (RedisResult[])(await master.ExecuteAsync("SCAN", next, "MATCH", match, "COUNT", 1000))!);
                cursor = long.Parse((string)page[0]!, CultureInfo.InvariantCulture);
                foreach (var key in (string[])page[1]!)
                {
                    yield return key[_prefix.Length..];
                }
            }
            while (cursor != 0);
        }
    }

    /// <summary>The masters the multiplexer knows (on a cluster, the owner of every slot); none is a configuration problem.</summary>
    private List<IServer> MasterServers()
    {
        var multiplexer = connection.Multiplexer;
        var masters = multiplexer.GetEndPoints().Select(e => multiplexer.GetServer(e)).Where(s => !s.IsReplica).ToList();
        return masters.Count > 0
            ? masters
            : throw new StoreUnavailableException($"No Redis master is known at {connection.Description}: check Redis__Configuration.");
    }

    private RedisKey[] QueueKeys(string queue) => [K(queue), K(queue + ":seq"), K(queue + ":since")];

    public Task AddAsync(string queue, string member, long sequence, DateTimeOffset due) => Run(async () =>
        await Db.ScriptEvaluateAsync(QueueAddScript, QueueKeys(queue), [member, sequence, due.ToUnixTimeMilliseconds()]));

    public Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string queue, DateTimeOffset now, DateTimeOffset leaseUntil, int take) => Run(async () =>
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(QueueClaimScript, QueueKeys(queue),
            [now.ToUnixTimeMilliseconds(), leaseUntil.ToUnixTimeMilliseconds(), take]))!;
        var claimed = new List<ClaimedWork>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2)
        {
            claimed.Add(new ClaimedWork((string)result[i]!, long.Parse((string)result[i + 1]!, CultureInfo.InvariantCulture)));
        }
        return (IReadOnlyList<ClaimedWork>)claimed;
    });

    public Task ReleaseAsync(string queue, string member, long processedSequence, DateTimeOffset? nextDue, DateTimeOffset now) => Run(async () =>
        await Db.ScriptEvaluateAsync(QueueReleaseScript, QueueKeys(queue),
            [member, processedSequence, nextDue?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "", now.ToUnixTimeMilliseconds()]));

    public Task<long> LengthAsync(string queue) => Run(async () => await Db.SortedSetLengthAsync(K(queue)));

    public Task<DateTimeOffset?> OldestAsync(string queue) => Run(async () =>
    {
        var first = await Db.SortedSetRangeByRankWithScoresAsync(K(queue + ":since"), 0, 0);
        return first.Length == 0 ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
    });

    private async Task<T> Run<T>(Func<Task<T>> call)
    {
        StoreRoundTrips.Note();
        try
        {
            return await call().WaitAsync(_timeout);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or TimeoutException or ObjectDisposedException
                                      || (e is RedisServerException server && IsTransient(server)))
        {
            throw new StoreUnavailableException($"Redis at {connection.Description} is unreachable or slow: check Redis__Configuration.", e);
        }
    }

    // "Endpoint … serving hashslot … is not reachable": a cluster node the multiplexer has not (re)connected to yet.
    private static bool IsTransient(RedisServerException e) =>
        e.Message.Contains("is not reachable", StringComparison.Ordinal) ||
        e.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
        e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal) ||
        e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) ||
        e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal) ||
        e.Message.StartsWith("READONLY", StringComparison.Ordinal);
}
