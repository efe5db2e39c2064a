namespace Challenges.Api.Storage;

/// <summary>
/// The embedded store for a single process: the same semantics as <see cref="RedisStateStore"/>, with expiry read
/// from <see cref="TimeProvider"/>. State is lost on restart. Expired entries are swept as writes arrive.
/// </summary>
public sealed class MemoryStateStore(TimeProvider time) : IStateStore, IWorkQueue
{
    private sealed class Queue
    {
        public readonly Dictionary<string, DateTimeOffset> Due = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> Sequences = new(StringComparer.Ordinal);
        public readonly Dictionary<string, DateTimeOffset> Since = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Queue> _queues = new(StringComparer.Ordinal);

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
                    Expect.Below => (current is null ? 0 : long.Parse(current, System.Globalization.CultureInfo.InvariantCulture)) < change.Score,
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
                        IndexAt(change.Key)[change.Value!] = change.Score;
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
                    case StateOp.Count:
                        var counter = Live(change.Key);
                        var next = (counter?.Value is { } value ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0) + 1;
                        _entries[change.Key] = new Entry
                        {
                            Value = next.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            ExpiresAt = counter is null ? now + change.Ttl : counter.ExpiresAt,
                        };
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

    public Task<string?> ExchangeAsync(string key, string value, TimeSpan ttl)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var previous = Live(key)?.Value;
            _entries[key] = new Entry { Value = value, ExpiresAt = now + ttl };
            SweepNowAndThen(now);
            return Task.FromResult(previous);
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

    public Task DecrementAsync(string key)
    {
        lock (_lock)
        {
            if (Live(key) is { Value: { } value } entry)
            {
                entry.Value = (long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return Task.CompletedTask;
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

    public Task<bool> IndexAddNewAsync(string key, string member, double score)
    {
        lock (_lock)
        {
            return Task.FromResult(IndexAt(key).TryAdd(member, score));
        }
    }

    public Task PingAsync() => Task.CompletedTask;

    private Queue QueueOf(string name)
    {
        if (!_queues.TryGetValue(name, out var queue))
        {
            _queues[name] = queue = new Queue();
        }
        return queue;
    }

    public Task AddAsync(string queue, string member, long sequence, DateTimeOffset due)
    {
        lock (_lock)
        {
            var q = QueueOf(queue);
            if (!q.Sequences.TryGetValue(member, out var current) || sequence > current)
            {
                q.Sequences[member] = sequence;
            }
            q.Due.TryAdd(member, due);
            q.Since.TryAdd(member, due);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string queue, DateTimeOffset now, DateTimeOffset leaseUntil, int take)
    {
        lock (_lock)
        {
            var q = QueueOf(queue);
            var due = q.Due.Where(d => d.Value <= now).OrderBy(d => d.Value).Take(take).Select(d => d.Key).ToList();
            foreach (var member in due)
            {
                q.Due[member] = leaseUntil;
            }
            return Task.FromResult<IReadOnlyList<ClaimedWork>>(
                due.Select(m => new ClaimedWork(m, q.Sequences.GetValueOrDefault(m))).ToList());
        }
    }

    public Task ReleaseAsync(string queue, string member, long processedSequence, DateTimeOffset? nextDue, DateTimeOffset now)
    {
        lock (_lock)
        {
            var q = QueueOf(queue);
            if (!q.Due.ContainsKey(member))
            {
                return Task.CompletedTask;
            }
            if (nextDue is { } next)
            {
                q.Due[member] = next;
            }
            else if (q.Sequences.GetValueOrDefault(member) > processedSequence)
            {
                q.Due[member] = now;
            }
            else
            {
                q.Due.Remove(member);
                q.Sequences.Remove(member);
                q.Since.Remove(member);
            }
            return Task.CompletedTask;
        }
    }

    public Task<long> LengthAsync(string queue)
    {
        lock (_lock)
        {
            return Task.FromResult((long)QueueOf(queue).Due.Count);
        }
    }

    public Task<DateTimeOffset?> OldestAsync(string queue)
    {
        lock (_lock)
        {
            var since = QueueOf(queue).Since;
            return Task.FromResult(since.Count == 0 ? (DateTimeOffset?)null : since.Values.Min());
        }
    }

    /// <summary>The members of the index at <paramref name="key"/>, created empty when absent.</summary>
    private SortedDictionary<string, double> IndexAt(string key)
    {
        var index = Live(key);
        if (index?.Members is null)
        {
            index = new Entry { Members = new SortedDictionary<string, double>(StringComparer.Ordinal) };
            _entries[key] = index;
        }
        return index.Members!;
    }

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
