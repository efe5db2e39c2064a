using Challenges.Api.Storage;
using Challenges.Api.Users;

namespace Challenges.Api.Push;

/// <summary>
/// Push challenges (sign-in and step-up) in the store: their keys, time to live and writes. A challenge lives in its
/// user's hash slot, under an id that names that slot, beside the user's actions. The user's board (a sorted set in the
/// same slot) says which challenge each device shows: a start that takes the last device of an older, still-pending
/// challenge closes that one in the same atomic write (a marker beside it), so it is never left pending with nobody to
/// answer it; an answer takes its challenge off the board. All of it without reading the older challenges.
/// </summary>
/// <remarks>
/// Beside the board sits the user's push-fatigue guard (<see cref="PushGuardRecord"/>): the unanswered pushes, number
/// matching and block until their times (keys that expire with them), and the addresses the user approved from (a
/// sorted set by time). Starts and answers write it in their own atomic step, without reading it again.
/// </remarks>
public sealed class PushChallengeStore(IStateStore store, TimeProvider time) : IUserErasure
{
    internal static string KeyOf(string tenantId, string challengeId) =>
        $"c:{ChallengeIds.TagOf(challengeId)}:{HashTags.Escape(tenantId)}:{HashTags.Escape(challengeId)}";

    /// <summary>Marks a challenge closed by a newer one on every device it targeted; the value names the newer one.</summary>
    private static string ClosedKeyOf(string tenantId, string challengeId) => KeyOf(tenantId, challengeId) + ":closed";

    private static string BoardOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:push";

    private static string GuardKeyOf(string tenantId, string userId, string part) => $"u:{HashTags.User(tenantId, userId)}:pushguard:{part}";

    private static readonly string[] GuardParts = ["unanswered", "matching", "blocked", "known"];

    private sealed record UnansweredRecord(int Count, DateTimeOffset LastStartAt);

    private sealed record UntilRecord(DateTimeOffset At);

    private static string MemberOf(string authenticatorId, string challengeId) => $"{HashTags.Escape(authenticatorId)}:{HashTags.Escape(challengeId)}";

    /// <summary>How long a challenge is kept: past its expiry, so late polls still learn the outcome.</summary>
    private TimeSpan Retention(PushChallengeRecord challenge)
    {
        var ttl = challenge.ExpiresAt + TimeSpan.FromMinutes(10) - time.GetUtcNow();
        return ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
    }

    /// <summary>A push challenge with its closing marker, in one read; null when absent or not a push challenge.</summary>
    public async Task<StoredPush?> ReadAsync(string tenantId, string challengeId)
    {
        var raws = await store.GetManyAsync([KeyOf(tenantId, challengeId), ClosedKeyOf(tenantId, challengeId)]);
        return StoreJson.ReadOrNull<PushChallengeRecord>(raws[0]) is { IsPush: true } challenge && challenge.Id == challengeId
            ? new StoredPush(new Stored<PushChallengeRecord>(challenge, raws[0]), raws[1])
            : null;
    }

    /// <summary>What each of the user's devices shows, still unexpired.</summary>
    public async Task<IReadOnlyList<Shown>> ReadBoardAsync(string tenantId, string userId)
    {
        var members = await store.IndexRangeAsync(BoardOf(tenantId, userId), time.GetUtcNow().ToUnixTimeMilliseconds(), 1000);
        return members.Select(m => m.Split(':')).Where(p => p.Length == 2)
            .Select(p => new Shown(HashTags.Unescape(p[0]), HashTags.Unescape(p[1]))).ToList();
    }

    /// <summary>The user's push-fatigue guard, in one round trip (addresses approved since <paramref name="knownSince"/>).</summary>
    public async Task<PushGuardRecord> ReadGuardAsync(string tenantId, string userId, DateTimeOffset knownSince)
    {
        var values = store.GetManyAsync([GuardKeyOf(tenantId, userId, "unanswered"), GuardKeyOf(tenantId, userId, "matching"),
            GuardKeyOf(tenantId, userId, "blocked")]);
        var known = store.IndexRangeAsync(GuardKeyOf(tenantId, userId, "known"), knownSince.ToUnixTimeMilliseconds(), 1000);
        await Task.WhenAll((Task)values, known);
        var unanswered = StoreJson.ReadOrNull<UnansweredRecord>(values.Result[0]);
        return new PushGuardRecord
        {
            Unanswered = unanswered?.Count ?? 0,
            LastStartAt = unanswered?.LastStartAt,
            MatchingUntil = StoreJson.ReadOrNull<UntilRecord>(values.Result[1])?.At,
            BlockedUntil = StoreJson.ReadOrNull<UntilRecord>(values.Result[2])?.At,
            KnownAddresses = known.Result,
        };
    }

    /// <summary>The changes of a guard update on the user's slot (each part expiring at its time); none without one.</summary>
    private IEnumerable<StateChange> GuardChanges(string tenantId, string userId, GuardUpdate? update)
    {
        if (update is null)
        {
            yield break;
        }
        var (next, window, learned, knownSince) = update;
        var now = time.GetUtcNow();
        var unanswered = GuardKeyOf(tenantId, userId, "unanswered");
        yield return next is { Unanswered: > 0, LastStartAt: { } last } && last + window > now
            ? StateChange.Put(unanswered, StoreJson.Write(new UnansweredRecord(next.Unanswered, last)), last + window - now)
            : StateChange.Delete(unanswered);
        foreach (var (part, until) in new[] { ("matching", next.MatchingUntil), ("blocked", next.BlockedUntil) })
        {
            if (until is { } at && at > now)
            {
                yield return StateChange.Put(GuardKeyOf(tenantId, userId, part), StoreJson.Write(new UntilRecord(at)), at - now);
            }
        }
        if (learned is not null)
        {
            var known = GuardKeyOf(tenantId, userId, "known");
            yield return StateChange.IndexAdd(known, learned, now.ToUnixTimeMilliseconds());
            yield return StateChange.IndexTrim(known, knownSince.ToUnixTimeMilliseconds() - 1);
        }
    }

    /// <summary>Deleting a user forgets its push-fatigue guard, with the addresses it approved from.</summary>
    public Task EraseAsync(string tenantId, string userId) =>
        store.CommitAsync(GuardParts.Select(part => StateChange.Delete(GuardKeyOf(tenantId, userId, part))).ToList());

    /// <summary>
    /// A new challenge, shown on its target devices from now on: the challenge, the board, and a closing marker on each
    /// older challenge no device shows any more (returned in <paramref name="superseded"/>), and the user's push-fatigue
    /// <paramref name="guard"/> change. A part of an atomic write on the user's slot.
    /// </summary>
    public StoreWrite StartWrite(string tenantId, PushChallengeRecord challenge, IReadOnlyList<Shown> board, out IReadOnlyList<string> superseded,
        GuardUpdate? guard = null)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(board);
        var boardKey = BoardOf(tenantId, challenge.UserId);
        var targets = challenge.Targets.ToHashSet(StringComparer.Ordinal);
        var displaced = board.Where(s => targets.Contains(s.AuthenticatorId) && s.ChallengeId != challenge.Id).ToList();
        superseded = displaced.Select(s => s.ChallengeId).Distinct(StringComparer.Ordinal)
            .Where(id => board.All(s => s.ChallengeId != id || targets.Contains(s.AuthenticatorId))).ToList();
        var expiresAt = challenge.ExpiresAt.ToUnixTimeMilliseconds();
        List<StateChange> changes =
        [
            StateChange.PutIfAbsent(KeyOf(tenantId, challenge.Id), StoreJson.Write(challenge), Retention(challenge)),
            .. displaced.Select(s => StateChange.IndexRemove(boardKey, MemberOf(s.AuthenticatorId, s.ChallengeId))),
            .. challenge.Targets.Select(t => StateChange.IndexAdd(boardKey, MemberOf(t, challenge.Id), expiresAt)),
            StateChange.IndexTrim(boardKey, time.GetUtcNow().ToUnixTimeMilliseconds()),
            .. superseded.Select(id => StateChange.Put(ClosedKeyOf(tenantId, id), challenge.Id, Retention(challenge))),
            .. GuardChanges(tenantId, challenge.UserId, guard),
        ];
        return new StoreWrite(changes);
    }

    /// <summary>
    /// An answer: the challenge moves, on condition that nothing closed it meanwhile, and leaves the board; with
    /// <paramref name="guard"/>, the user's push-fatigue guard changes with it.
    /// </summary>
    public StoreWrite AnswerWrite(string tenantId, StoredPush current, PushChallengeRecord answered, GuardUpdate? guard = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(answered);
        var boardKey = BoardOf(tenantId, answered.UserId);
        return new StoreWrite(
        [
            StateChange.Over(KeyOf(tenantId, answered.Id), current.Stored.Raw, StoreJson.Write(answered), Retention(answered)),
            StateChange.RequireAbsent(ClosedKeyOf(tenantId, answered.Id)),
            .. answered.Targets.Select(t => StateChange.IndexRemove(boardKey, MemberOf(t, answered.Id))),
            .. GuardChanges(tenantId, answered.UserId, guard),
        ]);
    }

    /// <summary>Any other change of the challenge (its token handed out), over the text it was read from.</summary>
    public StoreWrite Write(string tenantId, StoredPush current, PushChallengeRecord next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        return new StoreWrite([StateChange.Over(KeyOf(tenantId, next.Id), current.Stored.Raw, StoreJson.Write(next), Retention(next))]);
    }

    /// <summary>Commits parts of the user's slot that involve no action (a step-up's).</summary>
    public Task<bool> CommitAsync(params IEnumerable<StoreWrite> parts) => store.CommitAsync(parts);
}
