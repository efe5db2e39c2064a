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
            var createdAt = stored.CreatedAt
                ?? (stored.HasContent ? stored.Authenticators.Select(a => (DateTimeOffset?)a.CreatedAt).Min() : null)
                ?? now;
            next = next with { CreatedAt = createdAt };
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

    private static Func<Task>? Both(Func<Task>? first, Func<Task>? second) =>
        first is null ? second : second is null ? first : async () =>
        {
            await first();
            await second();
        };
}
