namespace Challenges.Api.Storage;

/// <summary>
/// Counts the store round trips of one request. Calls the request issues together, before it waits for any answer,
/// share a round trip; a call issued after the request resumed from a wait starts the next one. The count follows the
/// request's flow, not the clock: a synchronous stretch of the request's code is recognised by its thread and by how
/// often that thread has switched between execution contexts (an <see cref="AsyncLocal{T}"/> notification), so it never
/// counts two dependent calls as one, and background work of the process is not counted at all.
/// </summary>
public static class StoreRoundTrips
{
    private sealed class Scope
    {
        public int Count;
        public int Thread = -1;
        public long Stretch = -1;
    }

    private static readonly AsyncLocal<Scope?> Current = new(OnContextChanged);

    [ThreadStatic]
    private static long t_switches;

    private static void OnContextChanged(AsyncLocalValueChangedArgs<Scope?> args)
    {
        if (args.ThreadContextChanged)
        {
            t_switches++;
        }
    }

    /// <summary>Starts counting for the calling flow (a request); read the count with the returned function.</summary>
    public static Func<int> Begin()
    {
        var scope = new Scope();
        Current.Value = scope;
        return () => Volatile.Read(ref scope.Count);
    }

    /// <summary>Called by the store before each call it sends.</summary>
    public static void Note()
    {
        if (Current.Value is not { } scope)
        {
            return;
        }
        var thread = Environment.CurrentManagedThreadId;
        var stretch = t_switches;
        lock (scope)
        {
            if (scope.Thread != thread || scope.Stretch != stretch)
            {
                scope.Count++;
                scope.Thread = thread;
                scope.Stretch = stretch;
            }
        }
    }
}
