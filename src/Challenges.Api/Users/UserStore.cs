using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>
/// Users as documents in the store; an absent document reads as <see cref="UserRecord.Empty"/>, and expired push
/// credentials read as absent. Changes that add or
/// remove verified authenticators carry their lifecycle events in the same atomic write, and the user is queued for
/// the outbox worker before that write, so no event can be committed without being found.
/// </summary>
public sealed class UserStore(IStateStore store, IWorkQueue queue, WorkQueueSignal queued, TenantRegistry tenants, ConflictRetry retry,
    TimeProvider time)
{
    public const int OutboxShards = 16;

    public async Task<UserRecord> GetAsync(string tenantId, string userId) => Read(await store.GetAsync(StoreKeys.User(tenantId, userId)));

    /// <summary>
    /// A user document as stored (null: no document) as the server sees it: push credentials past their expiry are
    /// left out. They leave the stored document, with an <c>authenticator.deleted</c> event, at its next write.
    /// </summary>
    public UserRecord Read(string? raw) => raw is null ? UserRecord.Empty : StoreJson.Read<UserRecord>(raw).WithoutExpired(time.GetUtcNow());

    /// <summary>
    /// Applies <paramref name="change"/> atomically (creating the user when absent); null from the change leaves it
    /// as it is. <paramref name="alsoApply"/> adds changes on keys of the user's slot to the same commit.
    /// </summary>
    public Task<UserRecord> UpdateAsync(string tenantId, string userId, Func<UserRecord, UserRecord?> change,
        Func<UserRecord, IEnumerable<StateChange>>? alsoApply = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = StoreKeys.User(tenantId, userId);
        var emitsEvents = tenants.FindById(tenantId)?.Options.WebhookUrl is not null;
        return retry.RunAsync<UserRecord>("updating a user", async _ =>
        {
            var current = await store.ReadAsync<UserRecord>(key);
            var now = time.GetUtcNow();
            var stored = current?.Value ?? UserRecord.Empty;
            var before = stored.WithoutExpired(now);
            var next = change(before);
            if (next is null)
            {
                return before;
            }
            if (emitsEvents)
            {
                // Against the stored document: credentials that expired and leave it with this write are reported deleted.
                next = LifecycleEvents.Append(stored, next, userId, now);
                if (next.OutboxSequence > before.OutboxSequence)
                {
                    await queue.AddAsync(OutboxQueueOf(tenantId, userId), StoreKeys.OutboxMember(tenantId, userId), next.OutboxSequence, now);
                }
            }
            var json = StoreJson.Write(next);
            List<StateChange> changes = [current is null ? StateChange.PutIfAbsent(key, json) : StateChange.Replace(key, current.Raw, json)];
            if (alsoApply is not null)
            {
                changes.AddRange(alsoApply(next));
            }
            if (!await store.CommitAsync(changes))
            {
                return Attempt.Conflict<UserRecord>();
            }
            if (next.OutboxSequence > before.OutboxSequence)
            {
                queued.Pulse();
            }
            return next;
        });
    }

    /// <summary>The outbox queue shard of a user: a stable hash, the same in every process.</summary>
    public static string OutboxQueueOf(string tenantId, string userId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(StoreKeys.OutboxMember(tenantId, userId)));
        return StoreKeys.OutboxQueue(hash[0] % OutboxShards);
    }
}
