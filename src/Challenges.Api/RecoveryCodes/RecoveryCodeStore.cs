using System.Security.Cryptography;
using System.Text;
using Challenges.Api.Storage;
using Challenges.Api.Tokens;
using Challenges.Api.Users;

namespace Challenges.Api.RecoveryCodes;

/// <summary>A user's recovery codes as stored: the hashes of those not used yet.</summary>
public sealed record RecoveryCodeSet(IReadOnlyList<string> Hashes, DateTimeOffset CreatedAt);

/// <summary>
/// Recovery codes in the store (<c>u:{t:u}:recovery</c>, the user's hash slot, so a redemption is written with the action
/// in one atomic commit). Codes are kept only as HMAC-SHA256 under a key of their own derived from the server's secret,
/// over the tenant, the user and the code: a copy of the store neither shows them nor lets them be guessed offline.
/// A set is created once per user (the first verified enrolment) and goes with the user.
/// </summary>
public sealed class RecoveryCodeStore(IStateStore store, SigningKeyProvider secrets) : IUserErasure
{
    public const string Label = "challenges/recovery-code-hash/v1";

    private readonly byte[] _key = SigningKeyProvider.Derive(secrets?.TokenKey ?? throw new ArgumentNullException(nameof(secrets)), Label);

    private static string KeyOf(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:recovery";

    public string Hash(string tenantId, string userId, string normalizedCode) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{tenantId}|{userId}|{normalizedCode}")));

    /// <summary>Stores the user's first set; false when the user already has one (codes are issued once).</summary>
    public Task<bool> CreateAsync(string tenantId, string userId, RecoveryCodeSet set) =>
        store.CommitAsync([StateChange.PutIfAbsent(KeyOf(tenantId, userId), StoreJson.Write(set))]);

    public Task<Stored<RecoveryCodeSet>?> ReadAsync(string tenantId, string userId) => store.ReadAsync<RecoveryCodeSet>(KeyOf(tenantId, userId));

    /// <summary>The set without <paramref name="hash"/>, over what was read: a part of the redemption's atomic write.</summary>
    public static StoreWrite UseWrite(string tenantId, string userId, Stored<RecoveryCodeSet> read, string hash)
    {
        ArgumentNullException.ThrowIfNull(read);
        var left = read.Value with { Hashes = read.Value.Hashes.Where(h => h != hash).ToList() };
        return new StoreWrite([StateChange.Over(KeyOf(tenantId, userId), read.Raw, StoreJson.Write(left))]);
    }

    public Task EraseAsync(string tenantId, string userId) => store.CommitAsync([StateChange.Delete(KeyOf(tenantId, userId))]);
}
