namespace Challenges.Api.Storage;

/// <summary>
/// One aggregate's part of an atomic change, built by its store from what it read: an OTP challenge's move, an
/// action's new state, a user's new document. Parts on keys of one hash slot are committed together
/// (<see cref="StoreWrites.CommitAsync"/>), so a verification moves its challenge, its action and its user at once, or
/// not at all. Services pass parts from one store to another; only stores look inside.
/// </summary>
public sealed class StoreWrite
{
    internal StoreWrite(IReadOnlyList<StateChange> changes, Func<Task>? before = null, Action? after = null)
    {
        Changes = changes;
        Before = before;
        After = after;
    }

    /// <summary>Nothing to write.</summary>
    public static StoreWrite None { get; } = new([]);

    internal IReadOnlyList<StateChange> Changes { get; }

    /// <summary>Work that must be done before the commit, e.g. queueing the user for the lifecycle event outbox.</summary>
    internal Func<Task>? Before { get; }

    /// <summary>Work after a commit that applied, e.g. waking this process's outbox worker.</summary>
    internal Action? After { get; }
}

/// <summary>Commits <see cref="StoreWrite"/> parts.</summary>
public static class StoreWrites
{
    /// <summary>
    /// Applies every part as one atomic step if every condition of every part holds; false (and nothing written) when
    /// one does not, i.e. when another request changed what a part was built from.
    /// </summary>
    internal static async Task<bool> CommitAsync(this IStateStore store, params IEnumerable<StoreWrite> writes)
    {
        ArgumentNullException.ThrowIfNull(store);
        var parts = writes.ToList();
        foreach (var before in parts.Select(w => w.Before).OfType<Func<Task>>())
        {
            await before();
        }
        var changes = parts.SelectMany(w => w.Changes).ToList();
        if (changes.Count > 0 && !await store.CommitAsync(changes))
        {
            return false;
        }
        foreach (var after in parts.Select(w => w.After).OfType<Action>())
        {
            after();
        }
        return true;
    }
}
