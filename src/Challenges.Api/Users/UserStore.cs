using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>
/// The user aggregate in the store: the user document (attributes, authenticators, lifecycle events not yet delivered)
/// in the user's hash slot, and each push credential's device keys (<see cref="UserStore"/>'s device half). An absent
/// document reads as <see cref="UserRecord.Empty"/>, and expired push credentials read as absent. A change that adds or
/// removes verified authenticators carries its lifecycle events in the same atomic write, and the user is queued for
/// the outbox worker before that write, so no event can be committed without being found.
/// </summary>
public sealed partial class UserStore(IStateStore store, IWorkQueue queue, WorkQueueSignal queued, TenantRegistry tenants, ConflictRetry retry,
    TimeProvider time)
{
    public const int OutboxShards = 16;

    /// <summary>The user's document.</summary>
    internal static string KeyOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:profile";

    /// <summary>Shard <paramref name="shard"/> of the queue of users with undelivered lifecycle events.</summary>
    public static string OutboxQueue(int shard) => $"outbox:{{{shard}}}";

    /// <summary>The outbox queue member for a user: tenant and user, escaped.</summary>
    private static string OutboxMember(string tenantId, string userId) => $"{HashTags.Escape(tenantId)}:{HashTags.Escape(userId)}";

    public static (string TenantId, string UserId)? ParseOutboxMember(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (HashTags.Unescape(member[..colon]), HashTags.Unescape(member[(colon + 1)..]));
    }

    /// <summary>The outbox queue shard of a user: a stable hash, the same in every process.</summary>
    public static string OutboxQueueOf(string tenantId, string userId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(OutboxMember(tenantId, userId)));
        return OutboxQueue(hash[0] % OutboxShards);
    }

    public async Task<UserRecord> GetAsync(string tenantId, string userId) => (await ReadAsync(tenantId, userId)).Value;

    /// <summary>
    /// The user as the server sees it (push credentials past their expiry left out; they leave the stored document, with
    /// an <c>authenticator.deleted</c> event, at its next write), with the text it was read from.
    /// </summary>
    public async Task<Stored<UserRecord>> ReadAsync(string tenantId, string userId)
    {
        var raw = await store.GetAsync(KeyOf(tenantId, userId));
        return new Stored<UserRecord>(Read(raw), raw);
    }

    /// <summary>The user as the server sees it, from the text stored under <see cref="KeyOf"/> (read with other keys).</summary>
    public UserRecord Read(string? raw) => Parse(raw).WithoutExpired(time.GetUtcNow());

    private static UserRecord Parse(string? raw) => raw is null ? UserRecord.Empty : StoreJson.Read<UserRecord>(raw);

    /// <summary>
    /// Applies <paramref name="change"/> atomically (creating the user when absent), retried on conflicts; null from the
    /// change leaves the user as it is. Returns the user afterwards.
    /// </summary>
    public Task<UserRecord> UpdateAsync(string tenantId, string userId, Func<UserRecord, UserRecord?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return retry.RunAsync<UserRecord>("updating a user", async _ =>
        {
            var current = await ReadAsync(tenantId, userId);
            if (change(current.Value) is not { } next)
            {
                return current.Value;
            }
            return await store.CommitAsync(Write(tenantId, userId, current, next)) ? next : Attempt.Conflict<UserRecord>();
        });
    }

    /// <summary>
    /// <paramref name="next"/> written over the user as read, in one round trip; false (and nothing written) when the
    /// document changed since: the caller decides again over the latest (<see cref="UpdateAsync"/>).
    /// </summary>
    public Task<bool> CommitOverAsync(string tenantId, string userId, Stored<UserRecord> current, UserRecord next) =>
        store.CommitAsync(Write(tenantId, userId, current, next));

    /// <summary>
    /// Takes back an authenticator an enrolment added when nothing could be sent to it (it would be a dead end); one
    /// verified since stays.
    /// </summary>
    public Task RemoveUnverifiedAsync(string tenantId, string userId, string authenticatorId) =>
        UpdateAsync(tenantId, userId, user => user.Find(authenticatorId) is { IsVerified: false } ? user.Without(authenticatorId) : null);

    /// <summary>
    /// <paramref name="next"/> written over the user as read, as a part of an atomic commit: with the lifecycle events the
    /// change makes (against the stored document, so credentials that expired and leave it now are reported deleted),
    /// queueing the user for the outbox before the commit and waking this process's worker after it.
    /// </summary>
    public StoreWrite Write(string tenantId, string userId, Stored<UserRecord> current, UserRecord next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var now = time.GetUtcNow();
        var (indexed, index, unindex) = Indexing(tenantId, userId, Parse(current.Raw), next, now);
        next = indexed;
        Func<Task>? enqueue = null;
        Action? wake = null;
        if (tenants.FindById(tenantId)?.Options.WebhookUrl is not null)
        {
            next = LifecycleEvents.Append(Parse(current.Raw), next, userId, now);
            if (next.OutboxSequence > current.Value.OutboxSequence)
            {
                var sequence = next.OutboxSequence;
                enqueue = () => queue.AddAsync(OutboxQueueOf(tenantId, userId), OutboxMember(tenantId, userId), sequence, now);
                wake = queued.Pulse;
            }
        }
        return new StoreWrite([StateChange.Over(KeyOf(tenantId, userId), current.Raw, StoreJson.Write(next))],
            Both(index, enqueue), unindex is null ? wake : () =>
            {
                wake?.Invoke();
                unindex();
            });
    }

    /// <summary>
    /// Users with undelivered events across all shards (the backlog operators watch), and since when the
    /// longest-waiting of them has had events (null when there are none).
    /// </summary>
    public async Task<(long Backlog, DateTimeOffset? Oldest)> OutboxStatusAsync()
    {
        var shards = Enumerable.Range(0, OutboxShards).Select(OutboxQueue).ToList();
        var lengths = Task.WhenAll(shards.Select(queue.LengthAsync));
        var oldest = Task.WhenAll(shards.Select(queue.OldestAsync));
        await Task.WhenAll(lengths, oldest);
        return (lengths.Result.Sum(), oldest.Result.Min());
    }
}
