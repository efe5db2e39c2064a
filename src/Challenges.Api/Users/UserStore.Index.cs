using Challenges.Api.Storage;

namespace Challenges.Api.Users;

/// <summary>
/// The tenant's index of its users, for the Server API's query (GET /v1/users): a sorted set per tenant,
/// <c>ux:{tenant:users}</c>, scored by each user's <see cref="UserRecord.CreatedAt"/> (Unix ms), its members
/// <c>ms:userId</c> (13 digits, the id escaped), so that a member says where it stands and pages follow creation order
/// without reading any user first. It is on a slot of its own (one tenant's users span every slot), so a user's write
/// cannot add to it atomically: a new user is added before the write that creates it (a write that then fails leaves
/// a member whose document is absent, which the query skips), and a deleted one is removed after its deletion.
/// </summary>
public sealed partial class UserStore
{
    private static string IndexOf(string tenantId) => $"ux:{HashTags.Own(tenantId, "users")}";

    /// <summary>A user's member of the index: where it stands (creation time, then id) and who it is.</summary>
    public static string MemberOf(DateTimeOffset createdAt, string userId) =>
        $"{createdAt.ToUnixTimeMilliseconds():D13}:{HashTags.Escape(userId)}";

    /// <summary>The creation time (Unix ms) and user id a member names; null when it is not one.</summary>
    public static (long CreatedAtMs, string UserId)? ParseMember(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return member.Length > 14 && member[13] == ':' && long.TryParse(member.AsSpan(0, 13), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? (ms, HashTags.Unescape(member[14..]))
            : null;
    }

    /// <summary>Up to <paramref name="take"/> members from creation time <paramref name="fromMs"/> on, in order.</summary>
    public Task<IReadOnlyList<string>> IndexRangeAsync(string tenantId, long fromMs, int take) =>
        store.IndexRangeAsync(IndexOf(tenantId), fromMs, take);

    /// <summary>
    /// What a write of <paramref name="next"/> over <paramref name="stored"/> does to the index: a user written with
    /// content for the first time (or again after a deletion) gets its <see cref="UserRecord.CreatedAt"/> and is added
    /// before the write; one a deletion empties is removed after it.
    /// </summary>
    private (UserRecord Next, Func<Task>? Before, Action? After) Indexing(string tenantId, string userId, UserRecord stored, UserRecord next,
        DateTimeOffset now)
    {
        if (next.HasContent && next.CreatedAt is null)
        {
            next = next with { CreatedAt = CreationOf(stored, now) };
        }
        if (next.CreatedAt is { } created && stored.CreatedAt != created)
        {
            var member = MemberOf(created, userId);
            return (next, () => store.CommitAsync([StateChange.IndexAdd(IndexOf(tenantId), member, created.ToUnixTimeMilliseconds())]), null);
        }
        if (!next.HasContent && stored.CreatedAt is { } was)
        {
            var member = MemberOf(was, userId);
            return (next with { CreatedAt = null }, null,
                // Best effort: a member left behind names a document without CreatedAt, which the query skips.
                () => _ = store.CommitAsync([StateChange.IndexRemove(IndexOf(tenantId), member)])
                    .ContinueWith(t => t.Exception, TaskScheduler.Default));
        }
        return (next, null, null);
    }

    /// <summary>
    /// When a user was created, as far as the stored document tells: its <see cref="UserRecord.CreatedAt"/>; for a
    /// document of an earlier version without one, its earliest authenticator's creation; else <paramref name="fallback"/>.
    /// </summary>
    private static DateTimeOffset CreationOf(UserRecord stored, DateTimeOffset fallback) =>
        stored.CreatedAt
        ?? (stored.HasContent ? stored.Authenticators.Select(a => (DateTimeOffset?)a.CreatedAt).Min() : null)
        ?? fallback;

    /// <summary>
    /// Puts a user the index may be missing (one stored by an earlier version, say) in it, for the <c>reindex-users</c>
    /// command: under the document's <see cref="UserRecord.CreatedAt"/>, or for a document without one, the creation its
    /// next write would give it (<see cref="CreationOf"/>, with <paramref name="fallback"/> as its "now"), written into the
    /// document over exactly the text read (a compare-and-set, retried on conflicts with the servers' writes; nothing else
    /// in the document changes, so no lifecycle event is made). The member is added before that write, as a server adds it,
    /// and only when absent (ZADD NX); a document a deletion emptied is left alone, so a deleted user is never listed again.
    /// </summary>
    public Task<IndexBackfill> BackfillIndexAsync(string tenantId, string userId, DateTimeOffset fallback) =>
        retry.RunAsync<IndexBackfill>("indexing a user", async _ =>
        {
            var raw = await store.GetAsync(KeyOf(tenantId, userId));
            var stored = Parse(raw);
            if (raw is null || !stored.HasContent)
            {
                return IndexBackfill.Deleted;
            }
            var created = CreationOf(stored, fallback);
            var member = MemberOf(created, userId);
            var added = await store.IndexAddNewAsync(IndexOf(tenantId), member, created.ToUnixTimeMilliseconds());
            if (stored.CreatedAt is not null)
            {
                return added ? IndexBackfill.Added : IndexBackfill.Present;
            }
            // Lost to a server's write: read again. The member stays (a server writing the same user may have just counted
            // on it); if the document ends up under another one, the query passes it over, as any member whose write failed.
            return await store.CommitAsync([StateChange.Replace(KeyOf(tenantId, userId), raw, StoreJson.Write(stored with { CreatedAt = created }))])
                ? IndexBackfill.Dated
                : Attempt.Conflict<IndexBackfill>();
        });

    private static Func<Task>? Both(Func<Task>? first, Func<Task>? second) =>
        first is null ? second : second is null ? first : async () =>
        {
            await first();
            await second();
        };
}

/// <summary>What <see cref="UserStore.BackfillIndexAsync"/> did for one user.</summary>
public enum IndexBackfill
{
    /// <summary>The user had its creation time and was missing from the index: added.</summary>
    Added,

    /// <summary>The user had no creation time (stored by an earlier version): given one and added.</summary>
    Dated,

    /// <summary>Already in the index: nothing changed.</summary>
    Present,

    /// <summary>No user (deleted, or never written with content): left alone.</summary>
    Deleted,
}
