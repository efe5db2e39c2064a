using Challenges.Api.Storage;
using Challenges.Api.Users;

namespace Challenges.Api.Sessions;

/// <summary>
/// Sessions, their refresh tokens and the tenants' generated signing keys. A session, the user's list of sessions and
/// the mark that an action has made its session live in the user's hash slot, beside the user document, so creating,
/// evicting and revoking are each one atomic commit and reading a session with its user is one round trip. A refresh
/// token's record is keyed by the token's hash in a slot of its own and only points at its session; the session
/// decides whether the token is current.
/// </summary>
public sealed class SessionStore(IStateStore store, UserStore users, ConflictRetry retry, TimeProvider time)
{
    private static string E(string value) => Uri.EscapeDataString(value);

    private static string Session(string tenantId, string userId, string sessionId) =>
        $"u:{HashTags.User(tenantId, userId)}:session:{E(sessionId)}";

    private static string List(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:sessions";

    private static string ActionMark(string tenantId, string userId, string actionCode, string idempotencyKey) =>
        $"u:{HashTags.User(tenantId, userId)}:session-of:{E(actionCode)}:{E(idempotencyKey)}";

    private static string Refresh(string tenantId, string tokenHash) => $"rt:{{{E(tenantId)}:{tokenHash}}}";

    private static string SigningKey(string tenantId) => $"sk:{{{E(tenantId)}}}";

    private TimeSpan Until(DateTimeOffset end) => Max(end - time.GetUtcNow(), TimeSpan.FromSeconds(1));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The user as stored (an absent one reads empty), in one round trip with nothing else.</summary>
    public Task<UserRecord> GetUserAsync(string tenantId, string userId) => users.GetAsync(tenantId, userId);

    /// <summary>A session with the text it was read from, and its user, in one round trip.</summary>
    public async Task<(Stored<SessionRecord>? Session, UserRecord User)> GetAsync(string tenantId, string userId, string sessionId)
    {
        var raws = await store.GetManyAsync([Session(tenantId, userId, sessionId), UserStore.KeyOf(tenantId, userId)]);
        var session = raws[0] is { } raw ? new Stored<SessionRecord>(StoreJson.Read<SessionRecord>(raw), raw) : null;
        return (session, users.Read(raws[1]));
    }

    /// <summary>
    /// Stores a new session made from an action, unless that action has made one before (false). The user's sessions
    /// stay within <paramref name="maxSessions"/>: the oldest end to make room.
    /// </summary>
    public async Task<bool> CreateAsync(string tenantId, SessionRecord session, string actionCode, string idempotencyKey,
        DateTimeOffset actionKeptUntil, int maxSessions)
    {
        ArgumentNullException.ThrowIfNull(session);
        await PointAsync(tenantId, session);
        var mark = ActionMark(tenantId, session.UserId, actionCode, idempotencyKey);
        var key = Session(tenantId, session.UserId, session.Id);
        var listKey = List(tenantId, session.UserId);
        return await retry.RunAsync<bool>("creating a session", async _ =>
        {
            var list = await store.ReadAsync<List<SessionEntry>>(listKey);
            var now = time.GetUtcNow();
            var live = (list?.Value ?? []).Where(e => e.ExpiresAt > now).OrderBy(e => e.CreatedAt).ToList();
            var evicted = live.Take(Math.Max(0, live.Count - (maxSessions - 1))).ToList();
            var next = live.Except(evicted).Append(new SessionEntry(session.Id, session.CreatedAt, session.ExpiresAt)).ToList();
            List<StateChange> changes =
            [
                StateChange.PutIfAbsent(mark, session.Id, Until(actionKeptUntil)),
                StateChange.Put(key, StoreJson.Write(session), Until(session.ExpiresAt)),
                WriteList(listKey, list, next),
                .. evicted.Select(e => StateChange.Delete(Session(tenantId, session.UserId, e.Id))),
            ];
            if (await store.CommitAsync(changes))
            {
                return true;
            }
            return await store.GetAsync(mark) is not null ? false : Attempt.Conflict<bool>();
        });
    }

    /// <summary>Where the refresh token with this hash points, or null for a token this tenant never issued (or one past its session).</summary>
    public async Task<RefreshLocator?> FindRefreshAsync(string tenantId, string tokenHash) =>
        (await store.ReadAsync<RefreshLocator>(Refresh(tenantId, tokenHash)))?.Value;

    /// <summary>Replaces the session as read with its refreshed self; false when it changed or ended meanwhile.</summary>
    public async Task<bool> RotateAsync(string tenantId, Stored<SessionRecord> current, SessionRecord next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        await PointAsync(tenantId, next);
        return await store.CommitAsync(
            [StateChange.Over(Session(tenantId, next.UserId, next.Id), current.Raw, StoreJson.Write(next), Until(next.ExpiresAt))]);
    }

    /// <summary>Ends one session: its access and refresh tokens stop working. Ending an ended session changes nothing.</summary>
    public async Task RevokeAsync(string tenantId, string userId, string sessionId)
    {
        var key = Session(tenantId, userId, sessionId);
        var listKey = List(tenantId, userId);
        await retry.RunAsync<bool>("revoking a session", async _ =>
        {
            var list = await store.ReadAsync<List<SessionEntry>>(listKey);
            List<StateChange> changes = [StateChange.Delete(key)];
            if (list is not null && list.Value.Any(e => e.Id == sessionId))
            {
                changes.Add(WriteList(listKey, list, list.Value.Where(e => e.Id != sessionId).ToList()));
            }
            return await store.CommitAsync(changes) ? true : Attempt.Conflict<bool>();
        });
    }

    /// <summary>Ends every session of the user in one atomic step: none created before it survives it.</summary>
    public async Task RevokeAllAsync(string tenantId, string userId)
    {
        var listKey = List(tenantId, userId);
        await retry.RunAsync<bool>("revoking a user's sessions", async _ =>
        {
            var list = await store.ReadAsync<List<SessionEntry>>(listKey);
            if (list is null)
            {
                return true;
            }
            return await store.CommitAsync(
                [.. list.Value.Select(e => StateChange.Delete(Session(tenantId, userId, e.Id))), StateChange.DeleteIfEqual(listKey, list.Raw!)])
                ? true
                : Attempt.Conflict<bool>();
        });
    }

    /// <summary>The tenant's generated signing key as sealed text, or null before its first use.</summary>
    public Task<string?> GetSigningKeyAsync(string tenantId) => store.GetAsync(SigningKey(tenantId));

    /// <summary>
    /// Stores <paramref name="sealedKey"/> if the tenant has no key yet, or in place of <paramref name="unusable"/>; returns
    /// the key stored afterwards, which is another process's when that one was first.
    /// </summary>
    public async Task<string> AddSigningKeyAsync(string tenantId, string sealedKey, string? unusable = null)
    {
        var key = SigningKey(tenantId);
        var change = unusable is null ? StateChange.PutIfAbsent(key, sealedKey) : StateChange.Replace(key, unusable, sealedKey);
        if (await store.CommitAsync([change]))
        {
            return sealedKey;
        }
        return await store.GetAsync(key) ?? await AddSigningKeyAsync(tenantId, sealedKey);
    }

    /// <summary>The record of a session's current refresh token, written before the session names the token.</summary>
    private Task<bool> PointAsync(string tenantId, SessionRecord session) =>
        store.CommitAsync([StateChange.Put(Refresh(tenantId, session.RefreshTokenHash),
            StoreJson.Write(new RefreshLocator(session.UserId, session.Id, session.Generation)), Until(session.ExpiresAt))]);

    private StateChange WriteList(string listKey, Stored<List<SessionEntry>>? current, List<SessionEntry> next)
    {
        if (next.Count == 0)
        {
            return current is null ? StateChange.RequireAbsent(listKey) : StateChange.DeleteIfEqual(listKey, current.Raw!);
        }
        var json = StoreJson.Write(next);
        var ttl = Until(next.Max(e => e.ExpiresAt));
        return StateChange.Over(listKey, current?.Raw, json, ttl);
    }
}
