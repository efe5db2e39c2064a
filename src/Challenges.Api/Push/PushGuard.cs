using Challenges.Api.Http;
using Challenges.Api.Storage;
using Challenges.Api.Tenants;

namespace Challenges.Api.Push;

/// <summary>
/// What the push-fatigue defence remembers of one user (in the user's slot): a block after a "this wasn't me"
/// rejection, number matching switched on until a time, the pushes started since the last answer, and the addresses
/// the user approved pushes from.
/// </summary>
public sealed record PushGuardRecord
{
    public DateTimeOffset? BlockedUntil { get; init; }
    public DateTimeOffset? MatchingUntil { get; init; }

    /// <summary>Pushes started since the user last answered one.</summary>
    public int Unanswered { get; init; }
    public DateTimeOffset? LastStartAt { get; init; }

    /// <summary>Addresses the user approved pushes from, most recent first.</summary>
    public IReadOnlyList<string> KnownAddresses { get; init; } = [];

    public static PushGuardRecord Empty { get; } = new();
}

/// <summary>
/// The push-fatigue rules (<see cref="PushFatigueOptions"/>), applied to a sign-in push before it starts and to each
/// answer. A step-up push is started by the tenant's backend, not by whoever holds the password, and is left out.
/// </summary>
public static class PushGuard
{
    /// <summary>The answer's <c>reason</c> (ours) that says the user did not try to sign in: "this wasn't me".</summary>
    public const string NotMe = "NOT_ME";

    /// <summary>A start: refused while the user is blocked or the back-off runs; else whether number matching is forced.</summary>
    public static Outcome<bool> Judge(PushGuardRecord guard, PushFatigueOptions options, string? ipAddress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return false;
        }
        if (guard.BlockedUntil is { } blocked && now < blocked)
        {
            return ApiError.TooManyRequests(Seconds(blocked - now)) with
            {
                Description = "Push challenges to this user are paused: the user reported a push as not theirs.",
            };
        }
        var unanswered = UnansweredAt(guard, options, now);
        if (unanswered > 0 && guard.LastStartAt + Backoff(options, unanswered) is { } next && now < next)
        {
            return ApiError.TooManyRequests(Seconds(next - now)) with
            {
                Description = "The user has not answered the last push yet: wait before sending another.",
            };
        }
        return guard.MatchingUntil is { } matching && now < matching
               || unanswered >= options.UnansweredForMatching
               || IsNewAddress(guard, ipAddress);
    }

    /// <summary>The wait after <paramref name="unanswered"/> unanswered pushes: the first back-off, doubled for each further one.</summary>
    public static TimeSpan Backoff(PushFatigueOptions options, int unanswered)
    {
        ArgumentNullException.ThrowIfNull(options);
        var doubled = options.FirstBackoff * Math.Pow(2, Math.Min(unanswered - 1, 30));
        return doubled < options.MaxBackoff ? doubled : options.MaxBackoff;
    }

    /// <summary>The guard after a push started: one more unanswered, and matching on for a while once they are many.</summary>
    public static PushGuardRecord Started(PushGuardRecord guard, PushFatigueOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        var unanswered = UnansweredAt(guard, options, now) + 1;
        return guard with
        {
            Unanswered = unanswered,
            LastStartAt = now,
            MatchingUntil = unanswered >= options.UnansweredForMatching ? now + options.MatchingFor : guard.MatchingUntil,
        };
    }

    /// <summary>
    /// The guard after an answer: the back-off starts over; an approval makes its address known; a rejection switches
    /// number matching on for a while, and one with <see cref="NotMe"/> blocks pushes too.
    /// </summary>
    public static PushGuardRecord Answered(PushGuardRecord guard, PushFatigueOptions options, bool approved, bool notMe, string? ipAddress,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        var next = guard with { Unanswered = 0 };
        if (approved)
        {
            return ipAddress is null ? next : next with
            {
                KnownAddresses = [ipAddress, .. guard.KnownAddresses.Where(a => a != ipAddress).Take(options.KnownAddresses - 1)],
            };
        }
        return next with
        {
            MatchingUntil = now + options.MatchingFor,
            BlockedUntil = notMe ? now + options.BlockFor : guard.BlockedUntil,
        };
    }

    /// <summary>
    /// A push from an address the user never approved from, once the user has approved from some (the first approvals
    /// teach the addresses). A new country always comes with a new address.
    /// </summary>
    private static bool IsNewAddress(PushGuardRecord guard, string? ipAddress) =>
        ipAddress is not null && guard.KnownAddresses.Count > 0 && !guard.KnownAddresses.Contains(ipAddress);

    private static int UnansweredAt(PushGuardRecord guard, PushFatigueOptions options, DateTimeOffset now) =>
        guard.LastStartAt is { } last && now - last <= options.UnansweredWindow ? guard.Unanswered : 0;

    private static int Seconds(TimeSpan wait) => (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
}

/// <summary>The push-fatigue guard of each user in the store, beside the user's push board.</summary>
public sealed class PushGuardStore(IStateStore store, ConflictRetry retry)
{
    /// <summary>Kept this long after its last change: long enough to remember the addresses a user approves from.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    private static string KeyOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:pushguard";

    public async Task<PushGuardRecord> ReadAsync(string tenantId, string userId) =>
        StoreJson.ReadOrNull<PushGuardRecord>(await store.GetAsync(KeyOf(tenantId, userId))) ?? PushGuardRecord.Empty;

    /// <summary>Applies <paramref name="change"/> by compare-and-set on the guard as read, retried on conflicts.</summary>
    public Task UpdateAsync(string tenantId, string userId, Func<PushGuardRecord, PushGuardRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var key = KeyOf(tenantId, userId);
        return retry.RunAsync<bool>("updating a push guard", async _ =>
        {
            var raw = await store.GetAsync(key);
            var next = change(StoreJson.ReadOrNull<PushGuardRecord>(raw) ?? PushGuardRecord.Empty);
            return await store.CommitAsync([StateChange.Over(key, raw, StoreJson.Write(next), Retention)]) ? true : Attempt.Conflict<bool>();
        });
    }
}
