using Challenges.Api.Http;
using Challenges.Api.Tenants;

namespace Challenges.Api.Push;

/// <summary>
/// What the push-fatigue defence remembers of one user, as <see cref="PushChallengeStore"/> reads it from the user's
/// slot: a block after a "this wasn't me" rejection, number matching switched on until a time, the pushes started since
/// the last answer, and the addresses the user approved pushes from.
/// </summary>
public sealed record PushGuardRecord
{
    public DateTimeOffset? BlockedUntil { get; init; }
    public DateTimeOffset? MatchingUntil { get; init; }

    /// <summary>Pushes started since the user last answered one.</summary>
    public int Unanswered { get; init; }
    public DateTimeOffset? LastStartAt { get; init; }

    /// <summary>Addresses the user approved pushes from within <see cref="PushFatigueOptions.KnownAddressLifetime"/>.</summary>
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
    /// The guard after an answer, written without reading it: the back-off starts over; a rejection switches number
    /// matching on for a while, and one with <see cref="NotMe"/> blocks pushes too. (An approval's address is learned
    /// beside it: <see cref="GuardUpdate.Learned"/>.)
    /// </summary>
    public static PushGuardRecord Answered(PushFatigueOptions options, bool approved, bool notMe, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        return approved ? PushGuardRecord.Empty : new PushGuardRecord
        {
            MatchingUntil = now + options.MatchingFor,
            BlockedUntil = notMe ? now + options.BlockFor : null,
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

/// <summary>
/// A change of a user's guard, written by <see cref="PushChallengeStore"/> in the atomic step of a start or an answer:
/// the guard <see cref="Next"/> (unanswered pushes counted for <see cref="Window"/> from the last start; number matching
/// and block times only ever extended), and an address the user approved from (<see cref="Learned"/>), with those
/// approved before <see cref="KnownSince"/> forgotten.
/// </summary>
public sealed record GuardUpdate(PushGuardRecord Next, TimeSpan Window, string? Learned, DateTimeOffset KnownSince);
