using Challenges.Api.Storage;

namespace Challenges.Api.Push;

/// <summary>A push challenge as read: the document with its text, and the newer challenge that closed it, if one did.</summary>
public sealed record StoredPush(Stored<PushChallengeRecord> Stored, string? SupersededBy)
{
    public PushChallengeRecord Value => Stored.Value;

    /// <summary>Pending, not superseded, and not yet past its expiry.</summary>
    public bool IsOpenAt(DateTimeOffset now) => Value.State == PushChallengeStates.Pending && SupersededBy is null && now < Value.ExpiresAt;

    /// <summary>Pending but past its expiry, or closed by a newer challenge: nobody can answer it any more.</summary>
    public bool IsOverAt(DateTimeOffset now) => Value.State == PushChallengeStates.Pending && !IsOpenAt(now);
}
