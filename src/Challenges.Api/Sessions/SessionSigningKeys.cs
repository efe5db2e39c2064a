using System.Collections.Concurrent;
using System.Security.Cryptography;
using Challenges.Api.Tenants;

namespace Challenges.Api.Sessions;

/// <summary>
/// Each tenant's session key ring, built once per process: the configured keys (<c>Tenants__N__Sessions__SigningKeys__K</c>),
/// or else one RSA 2048 key generated on first use and kept, sealed, in the store. Processes racing on that first use
/// all end with the key that reached the store first.
/// </summary>
public sealed partial class SessionSigningKeys(SessionStore store, SigningKeySeal seal, ILogger<SessionSigningKeys> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<SessionKeyRing>>> _rings = new(StringComparer.Ordinal);

    /// <summary>The tenant's key ring; null for a tenant with neither keys nor app clients (it makes no sessions).</summary>
    public async Task<SessionKeyRing?> ForAsync(Tenant tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var options = tenant.Options.Sessions;
        if (options.SigningKeys.Count == 0 && options.Clients.Count == 0)
        {
            return null;
        }
        var ring = _rings.GetOrAdd(tenant.Id, _ => new Lazy<Task<SessionKeyRing>>(() => LoadAsync(tenant)));
        try
        {
            return await ring.Value;
        }
        catch
        {
            // A store outage on first use must not stick: the next request tries again.
            _rings.TryRemove(KeyValuePair.Create(tenant.Id, ring));
            throw;
        }
    }

    private async Task<SessionKeyRing> LoadAsync(Tenant tenant)
    {
        var configured = tenant.Options.Sessions.SigningKeys;
        if (configured.Count > 0)
        {
            // The options validator has refused any key that did not load at start; a key file may have gone since.
            return new SessionKeyRing(configured.Select((k, i) => SessionKey.FromConfiguration(k).Key ?? throw new InvalidOperationException(
                $"Signing key {i} of tenant '{tenant.Id}' (Tenants__N__Sessions__SigningKeys__{i}) can no longer be read.")).ToArray());
        }
        var stored = await store.GetSigningKeyAsync(tenant.Id);
        var rsa = stored is null ? null : seal.Open(tenant.Id, stored);
        if (rsa is null)
        {
            if (stored is not null)
            {
                LogUnreadableKey(logger, tenant.Id);
            }
            using var fresh = RSA.Create(SessionKey.MinBits);
            var kept = await store.AddSigningKeyAsync(tenant.Id, seal.Seal(tenant.Id, fresh), stored);
            rsa = seal.Open(tenant.Id, kept)
                ?? throw new InvalidOperationException($"The session signing key stored for tenant '{tenant.Id}' cannot be read.");
            LogKeyInUse(logger, tenant.Id);
        }
        return new SessionKeyRing([new SessionKey(rsa)]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {TenantId} signs session access tokens with a generated key kept in the store")]
    private static partial void LogKeyInUse(ILogger logger, string tenantId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The stored session signing key of tenant {TenantId} was sealed with another Tokens__SigningKey: it is replaced by a new one, and access tokens signed before stop validating (refresh tokens keep working)")]
    private static partial void LogUnreadableKey(ILogger logger, string tenantId);
}
