namespace Challenges.Api.Storage;

/// <summary>A member of a <see cref="IWorkQueue"/> handed to one worker until its lease ends.</summary>
public sealed record ClaimedWork(string Member, long Sequence);

/// <summary>
/// A leased work queue in the store, shared by every server process. Each member carries the highest sequence number
/// written for it; a worker may drop a member only if nothing newer than what it processed was registered, so work
/// registered while a worker was busy is never lost. All calls on one queue key touch one hash slot.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Registers work for <paramref name="member"/> up to <paramref name="sequence"/>, due now if not queued already.</summary>
    Task AddAsync(string queue, string member, long sequence, DateTimeOffset due);

    /// <summary>Takes up to <paramref name="take"/> due members and leases them until <paramref name="leaseUntil"/>.</summary>
    Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string queue, DateTimeOffset now, DateTimeOffset leaseUntil, int take);

    /// <summary>
    /// Ends a lease: with no <paramref name="nextDue"/>, removes the member unless work newer than
    /// <paramref name="processedSequence"/> was registered meanwhile (then it is due at once); otherwise reschedules it.
    /// </summary>
    Task ReleaseAsync(string queue, string member, long processedSequence, DateTimeOffset? nextDue, DateTimeOffset now);

    Task<long> LengthAsync(string queue);

    /// <summary>When the longest-waiting member was first added (it has had work ever since), or null when the queue is empty.</summary>
    Task<DateTimeOffset?> OldestAsync(string queue);
}
