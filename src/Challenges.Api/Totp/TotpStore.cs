using Challenges.Api.Storage;

namespace Challenges.Api.Totp;

/// <summary>The last step accepted from each of a user's authenticator apps: a step is accepted once.</summary>
public sealed record TotpSteps(IReadOnlyDictionary<string, long> Accepted)
{
    public static TotpSteps None { get; } = new(new Dictionary<string, long>());

    public long? LastOf(string authenticatorId) => Accepted.TryGetValue(authenticatorId, out var step) ? step : null;
}

/// <summary>
/// Authenticator-app state in the store: the last accepted step per app (<c>u:{t:u}:totp</c>, in the user's hash slot,
/// so one verify writes it with the action and the user in one atomic commit), kept only while such a step could still
/// be accepted. The secret itself is on the authenticator in the user document, sealed; the wrong codes of an action are
/// counted by <c>ActionAttempts</c>.
/// </summary>
public sealed class TotpStore(IStateStore store, TimeProvider time)
{
    private static string StepsKey(string tenantId, string userId) => $"u:{HashTags.User(tenantId, userId)}:totp";

    public Task<Stored<TotpSteps>?> ReadStepsAsync(string tenantId, string userId) => store.ReadAsync<TotpSteps>(StepsKey(tenantId, userId));

    /// <summary>
    /// <paramref name="step"/> accepted from <paramref name="authenticatorId"/>, over what was read (so two servers
    /// accepting the same code race on this compare-and-set and one of them judges again and refuses it); steps that can
    /// no longer be accepted are dropped, and the record lives until its newest step is out of reach.
    /// </summary>
    public StoreWrite AcceptWrite(string tenantId, string userId, Stored<TotpSteps>? read, string authenticatorId, long step)
    {
        var now = time.GetUtcNow();
        var accepted = (read?.Value ?? TotpSteps.None).Accepted
            .Where(p => p.Key != authenticatorId && TotpCodes.AcceptedUntil(p.Value) > now)
            .Append(new(authenticatorId, step))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var ttl = TotpCodes.AcceptedUntil(accepted.Values.Max()) - now;
        return new([StateChange.Over(StepsKey(tenantId, userId), read?.Raw, StoreJson.Write(new TotpSteps(accepted)),
            ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1))]);
    }
}
