using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tenants;

/// <summary>Finds tenants by id and by secret key. Secret keys are looked up by their SHA-256 and then compared in constant time.</summary>
public sealed class TenantRegistry
{
    private readonly Dictionary<string, Tenant> _byId;
    private readonly Dictionary<string, Tenant> _bySecretKeyHash;

    public TenantRegistry(IOptions<TenantsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tenants = options.Value.Tenants.Select(t => new Tenant(t)).ToList();
        _byId = tenants.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _bySecretKeyHash = tenants
            .SelectMany(t => t.SecretKeys.Select(k => (hash: Hash(k), t)))
            .ToDictionary(p => p.hash, p => p.t, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<Tenant> All => _byId.Values;

    public Tenant? FindById(string? id) => id is not null && _byId.TryGetValue(id, out var tenant) ? tenant : null;

    public Tenant? FindBySecretKey(string? secretKey)
    {
        if (string.IsNullOrEmpty(secretKey) || !_bySecretKeyHash.TryGetValue(Hash(secretKey), out var tenant))
        {
            return null;
        }
        var presented = Encoding.UTF8.GetBytes(secretKey);
        var match = false;
        foreach (var key in tenant.SecretKeys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key));
        }
        return match ? tenant : null;
    }

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
