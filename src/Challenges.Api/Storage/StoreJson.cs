using System.Text.Json;
using Challenges.Api.Http;

namespace Challenges.Api.Storage;

/// <summary>How documents are written to the store, and a read that keeps the raw text for compare-and-set.</summary>
public static class StoreJson
{
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    public static T Read<T>(string raw) => JsonSerializer.Deserialize<T>(raw, JsonDefaults.Options)
        ?? throw new InvalidOperationException($"Stored {typeof(T).Name} is null.");

    /// <summary>A stored document that may be foreign or damaged (written by another version, say): it reads as absent.</summary>
    public static T? ReadOrNull<T>(string? raw) where T : class
    {
        if (raw is null)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(raw, JsonDefaults.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static async Task<Stored<T>?> ReadAsync<T>(this IStateStore store, string key)
    {
        ArgumentNullException.ThrowIfNull(store);
        var raw = await store.GetAsync(key);
        return raw is null ? null : new Stored<T>(Read<T>(raw), raw);
    }
}

/// <summary>
/// A document with the exact text it was read from, for a later compare-and-set (<see cref="StateChange.Over"/>);
/// <see cref="Raw"/> is null when nothing was stored and <see cref="Value"/> is what an absent document reads as.
/// </summary>
public sealed record Stored<T>(T Value, string? Raw);

/// <summary>Compare-and-set over one document, retried by the <see cref="ConflictRetry"/> policy.</summary>
public static class StoreUpdates
{
    /// <summary>
    /// Reads the document, applies <paramref name="change"/> and writes the result only if nobody changed the
    /// document in between; runs again on a conflict. <paramref name="change"/> returns null to leave it as it is.
    /// Returns the document as it is afterwards, or null when there is none. <c>known</c>: the document as this request
    /// already read it, which saves the first read (a stale one only costs a retry).
    /// </summary>
    public static Task<T?> UpdateAsync<T>(this IStateStore store, ConflictRetry retry, string key, Func<T, T?> change, Func<T, TimeSpan?> ttl,
        Func<T, IEnumerable<StateChange>>? alsoApply = null, Stored<T>? known = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(ttl);
        return retry.RunAsync<T?>($"updating a {typeof(T).Name}", async attempt =>
        {
            var current = attempt == 1 && known is not null ? known : await store.ReadAsync<T>(key);
            if (current is null)
            {
                return (T?)null;
            }
            var next = change(current.Value);
            if (next is null)
            {
                return current.Value;
            }
            List<StateChange> changes = [StateChange.Over(key, current.Raw, StoreJson.Write(next), ttl(next))];
            if (alsoApply is not null)
            {
                changes.AddRange(alsoApply(next));
            }
            return await store.CommitAsync(changes) ? next : Attempt.Conflict<T?>();
        });
    }
}
