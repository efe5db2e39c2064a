using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Challenges.Api.Tenants;

/// <summary>
/// Finds tenants by id and by secret key. A presented secret key is looked up by its SHA-256 (so the lookup's timing says
/// nothing about the keys) and then compared with the key found in constant time; the keys' digests and bytes are
/// computed once, at start.
/// </summary>
public sealed class TenantRegistry
{
    private readonly Dictionary<string, Tenant> _byId;
    private readonly Dictionary<KeyDigest, (Tenant Tenant, byte[] Key)> _bySecretKey;

    public TenantRegistry(IOptions<TenantsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tenants = options.Value.Tenants.Select(t => new Tenant(t)).ToList();
        _byId = tenants.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _bySecretKey = tenants
            .SelectMany(t => t.SecretKeys.Select(k => (Tenant: t, Key: Encoding.UTF8.GetBytes(k))))
            .ToDictionary(p => KeyDigest.Of(p.Key), p => p);
    }

    public IReadOnlyCollection<Tenant> All => _byId.Values;

    public Tenant? FindById(string? id) => id is not null && _byId.TryGetValue(id, out var tenant) ? tenant : null;

    public Tenant? FindBySecretKey(string? secretKey)
    {
        if (string.IsNullOrEmpty(secretKey))
        {
            return null;
        }
        var size = Encoding.UTF8.GetMaxByteCount(secretKey.Length);
        Span<byte> buffer = size <= 512 ? stackalloc byte[512] : new byte[size];
        var presented = buffer[..Encoding.UTF8.GetBytes(secretKey, buffer)];
        return _bySecretKey.TryGetValue(KeyDigest.Of(presented), out var found) &&
               CryptographicOperations.FixedTimeEquals(presented, found.Key)
            ? found.Tenant
            : null;
    }

    /// <summary>A key's SHA-256 as a dictionary key.</summary>
    private readonly record struct KeyDigest(UInt128 High, UInt128 Low)
    {
        public static KeyDigest Of(ReadOnlySpan<byte> key)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(key, hash);
            return new KeyDigest(MemoryMarshal.Read<UInt128>(hash), MemoryMarshal.Read<UInt128>(hash[16..]));
        }
    }
}
