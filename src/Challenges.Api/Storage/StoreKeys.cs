namespace Challenges.Api.Storage;

/// <summary>
/// Every key name in one place. Each id is escaped (so <c>:</c>, <c>{</c> and <c>}</c> in ids cannot collide or break
/// a hash tag), and the part in braces is the hash tag: a user's data shares one slot, a challenge, a device key,
/// a nonce and a rate window each have their own.
/// </summary>
public static class StoreKeys
{
    private static string E(string value) => Uri.EscapeDataString(value);

    /// <summary>The hash tag of a user's slot: keys of other feature stores that must sit beside the user's data use it.</summary>
    public static string UserTag(string tenantId, string userId) => $"{{{E(tenantId)}:{E(userId)}}}";

    /// <summary>The user's profile and authenticators, one document.</summary>
    public static string User(string tenantId, string userId) => $"u:{UserTag(tenantId, userId)}:profile";

    public static string Action(string tenantId, string userId, string actionCode, string idempotencyKey) =>
        $"u:{UserTag(tenantId, userId)}:a:{E(actionCode)}:{E(idempotencyKey)}";

    /// <summary>Index of the user's actions, scored by creation time (Unix ms); members are <see cref="ActionMember"/>.</summary>
    public static string ActionIndex(string tenantId, string userId) => $"u:{UserTag(tenantId, userId)}:actions";

    public static string ActionMember(string actionCode, string idempotencyKey) => $"{E(actionCode)}:{E(idempotencyKey)}";

    public static (string ActionCode, string IdempotencyKey)? ParseActionMember(string member) => ParsePair(member);

    /// <summary>Splits a member written as two escaped ids joined by <c>:</c>.</summary>
    private static (string First, string Second)? ParsePair(string member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : (Uri.UnescapeDataString(member[..colon]), Uri.UnescapeDataString(member[(colon + 1)..]));
    }

    public static string Challenge(string tenantId, string challengeId) => $"c:{{{E(tenantId)}:{E(challengeId)}}}";

    /// <summary>A push device credential, by the SHA-256 of its public key.</summary>
    public static string Device(string tenantId, string keyId) => $"d:{{{E(tenantId)}:{keyId}}}";

    /// <summary>The push challenge waiting for a device; same slot as <see cref="Device"/>.</summary>
    public static string DevicePending(string tenantId, string keyId) => $"d:{{{E(tenantId)}:{keyId}}}:pending";

    public static string Nonce(string tenantId, string nonce) => $"n:{{{E(tenantId)}:{E(nonce)}}}";

    /// <summary>A fixed rate-limit window: <paramref name="window"/> is the window's number since the epoch.</summary>
    public static string RateWindow(string tenantId, string rule, string subject, long window) =>
        $"r:{{{E(tenantId)}:{rule}:{E(subject)}}}:{window}";

    public static string StepUpRef(string tenantId, string userId, string reference) =>
        $"u:{UserTag(tenantId, userId)}:stepup-ref:{E(reference)}";

    public static string StepUpInFlight(string tenantId, string userId) => $"u:{UserTag(tenantId, userId)}:stepup";

    /// <summary>Shard <paramref name="shard"/> of the queue of users with undelivered lifecycle events.</summary>
    public static string OutboxQueue(int shard) => $"outbox:{{{shard}}}";

    /// <summary>The outbox queue member for a user: tenant and user, escaped.</summary>
    public static string OutboxMember(string tenantId, string userId) => $"{E(tenantId)}:{E(userId)}";

    public static (string TenantId, string UserId)? ParseOutboxMember(string member) => ParsePair(member);

    /// <summary>An OTP challenge (SMS, WhatsApp, email) or a reserved client challenge, in its own slot.</summary>
    public static string OtpChallenge(string tenantId, string challengeId) => $"o:{{{E(tenantId)}:{E(challengeId)}}}";

    /// <summary>Index of a user's OTP challenges, scored by creation time (Unix ms); members are challenge ids.</summary>
    public static string UserOtpChallenges(string tenantId, string userId) => $"u:{UserTag(tenantId, userId)}:otp";

    /// <summary>The latest get-pending nonce issued to a device (device API row 3); same slot as <see cref="Device"/>.</summary>
    public static string DeviceNonce(string tenantId, string keyId) => $"d:{{{E(tenantId)}:{keyId}}}:nonce";
}
