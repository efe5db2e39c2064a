using Challenges.Api.Http;

namespace Challenges.Api.Users;

/// <summary>
/// Derives <c>authenticator.created</c> / <c>authenticator.deleted</c> (docs/contract.md §5.3) from a change of a user
/// document: an authenticator that became verified was created, a verified one that disappeared was deleted. Every
/// path that changes users goes through <see cref="UserStore.UpdateAsync"/>, so none can forget an event.
/// </summary>
public static class LifecycleEvents
{
    public const string Created = "authenticator.created";
    public const string Deleted = "authenticator.deleted";

    public static UserRecord Append(UserRecord before, UserRecord after, string userId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var events = new List<OutboxEvent>();
        foreach (var a in after.Authenticators.Where(a => a.IsVerified && before.Find(a.Id)?.IsVerified != true))
        {
            events.Add(Event(Created, userId, a, "createdAt", a.VerifiedAt ?? now, now));
        }
        foreach (var a in before.Authenticators.Where(a => a.IsVerified && after.Find(a.Id) is null))
        {
            events.Add(Event(Deleted, userId, a, "deletedAt", now, now));
        }
        return events.Count == 0
            ? after
            : after with { Outbox = [.. after.Outbox, .. events], OutboxSequence = after.OutboxSequence + events.Count };
    }

    private static OutboxEvent Event(string type, string userId, AuthenticatorRecord a, string timeField, DateTimeOffset at, DateTimeOffset now) => new()
    {
        Id = Ids.New(),
        Type = type,
        Data = new Dictionary<string, string>
        {
            ["userId"] = userId,
            ["userAuthenticatorId"] = a.Id,
            ["verificationMethod"] = a.VerificationMethod,
            [timeField] = at.UtcDateTime.ToString(UtcTimeConverter.Format, System.Globalization.CultureInfo.InvariantCulture),
        },
        CreatedAt = now,
        NextAttemptAt = now,
    };
}
