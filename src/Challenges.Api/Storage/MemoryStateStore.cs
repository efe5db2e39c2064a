namespace Challenges.Api.Storage;

/// <summary>
/// The embedded store for a single process: the same semantics as <see cref="RedisStateStore"/>, with expiry read
/// from <see cref="TimeProvider"/>. State is lost on restart. Expired entries are swept as writes arrive.
/// </summary>
public sealed class MemoryStateStore(TimeProvider time) : IStateStore
{
    private sealed class Entry
    {
        public string? Value;
        public SortedDictionary<string, double>? Members;
        public DateTimeOffset? ExpiresAt;
    }

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _writesSinceSweep;

    public Task<string?> GetAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(key)?.Value);
        }
    }

    public Task<IReadOnlyList<string?>> GetManyAsync(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<string?>>(keys.Select(k => Live(k)?.Value).ToArray());
        }
    }

    public Task<bool> CommitAsync(IReadOnlyList<StateChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_lock)
        {
            foreach (var change in changes)
            {
                var current = Live(change.Key)?.Value;
                var holds = change.Expect switch
                {
                    Expect.Absent => current is null,
                    Expect.Equal => string.Equals(current, change.Expected, StringComparison.Ordinal),
                    _ => true,
                };
                if (!holds)
                {
                    return Task.FromResult(false);
                }
            }
            var now = time.GetUtcNow();
            foreach (var change in changes)
            {
                switch (change.Op)
                {
                    case StateOp.Put:
                        _entries[change.Key] = new Entry
                        {
                            Value = change.Value,
                            ExpiresAt = change.Ttl is { } ttl && ttl > TimeSpan.Zero ? now + ttl : null,
                        };
                        break;
                    case StateOp.Delete:
                        _entries.Remove(change.Key);
                        break;
                    case StateOp.IndexAdd:
                        var index = Live(change.Key);
                        if (index?.Members is null)
                        {
                            index = new Entry { Members = new SortedDictionary<string, double>(StringComparer.Ordinal) };
                            _entries[change.Key] = index;
                        }
                        index.Members![change.Value!] = change.Score;
                        break;
                    case StateOp.IndexRemove:
                        Live(change.Key)?.Members?.Remove(change.Value!);
                        break;
                    case StateOp.IndexTrim:
                        var members = Live(change.Key)?.Members;
                        foreach (var old in members?.Where(m => m.Value <= change.Score).Select(m => m.Key).ToList() ?? [])
                        {
                            members!.Remove(old);
                        }
                        break;
                    case StateOp.Check:
                    default:
                        break;
                }
            }
            SweepNowAndThen(now);
            return Task.FromResult(true);
        }
    }

    public Task<long> IncrementAsync(string key, TimeSpan ttl)
    {
        lock (_lock)
        {
            var entry = Live(key);
            if (entry is null)
            {
                entry = new Entry { Value = "0", ExpiresAt = time.GetUtcNow() + ttl };
                _entries[key] = entry;
            }
            var count = long.Parse(entry.Value!, System.Globalization.CultureInfo.InvariantCulture) + 1;
            entry.Value = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            SweepNowAndThen(time.GetUtcNow());
            return Task.FromResult(count);
        }
    }

    public Task<IReadOnlyList<string>> IndexRangeAsync(string key, double minScore, int take)
    {
        lock (_lock)
        {
            var members = Live(key)?.Members;
            IReadOnlyList<string> result = members is null
                ? []
                : members.Where(m => m.Value >= minScore).OrderBy(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal)
                    .Take(take).Select(m => m.Key).ToArray();
            return Task.FromResult(result);
        }
    }

    public Task PingAsync() => Task.CompletedTask;

    private Entry? Live(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }
        if (entry.ExpiresAt is { } at && at <= time.GetUtcNow())
        {
            _entries.Remove(key);
            return null;
        }
        return entry;
    }

    private void SweepNowAndThen(DateTimeOffset now)
    {
        if (++_writesSinceSweep < 4096)
        {
            return;
        }
        _writesSinceSweep = 0;
        foreach (var key in _entries.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList())
        {
            _entries.Remove(key);
        }
    }
}
