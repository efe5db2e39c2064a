using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Challenges.Api.Push;

/// <summary>
/// Imported device keys by their canonical SPKI text, bounded: when full it starts over. Every key that leaves the
/// cache is disposed (a native handle each), and so is a key that lost a race to be added. A key is used only under
/// its own lock (<see cref="Verify"/>), so it is never disposed in the middle of a verification.
/// </summary>
public sealed class DeviceKeyCache(int capacity)
{
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    public int Count => _keys.Count;

    public ECDsa? Find(string canonical) => _keys.TryGetValue(canonical, out var key) ? key : null;

    /// <summary>Keeps <paramref name="key"/>, or, when another was added for the same text first, disposes it and returns that one.</summary>
    public ECDsa Add(string canonical, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_keys.Count >= capacity)
        {
            Clear();
        }
        var kept = _keys.GetOrAdd(canonical, key);
        if (!ReferenceEquals(kept, key))
        {
            key.Dispose();
        }
        return kept;
    }

    /// <summary>Empties the cache, disposing each key once no verification holds it.</summary>
    public void Clear()
    {
        foreach (var canonical in _keys.Keys)
        {
            if (_keys.TryRemove(canonical, out var key))
            {
                lock (key)
                {
                    key.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="verify"/> with the key under its lock: one verification per key at a time. Null when the key
    /// was evicted and disposed before the lock was taken (the caller imports it again).
    /// </summary>
    public static bool? Verify(ECDsa key, Func<ECDsa, bool> verify)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(verify);
        lock (key)
        {
            try
            {
                return verify(key);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
        }
    }
}
